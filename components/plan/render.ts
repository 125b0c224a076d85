import * as fs from "fs";
import * as path from "path";

/** `{{name}}`; docker's Go templates (`{{.Id}}`, `{{index ...}}`) do not match and pass through. */
const placeholder = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

/**
 * Fills `{{name}}` placeholders. Every placeholder needs a value and every value a placeholder; all
 * problems are reported in one error, so a template and its caller are fixed in one pass.
 */
export function renderTemplate(text: string, values: Record<string, string>, templateName = "template"): string {
    const used = new Set<string>();
    const missing = new Set<string>();
    const rendered = text.replace(placeholder, (match, name: string) => {
        if (!Object.prototype.hasOwnProperty.call(values, name)) {
            missing.add(name);
            return match;
        }
        used.add(name);
        return values[name];
    });
    const problems = [
        ...[...missing].map((name) => `no value for {{${name}}}`),
        ...Object.keys(values).filter((name) => !used.has(name)).map((name) => `value ${name} is not used`),
    ];
    if (problems.length > 0) {
        throw new Error(`Cannot render ${templateName}:\n - ${problems.join("\n - ")}`);
    }
    return rendered;
}

const filesDir = path.join(__dirname, "..", "..", "files");

/**
 * `# ha-web:include lib/x.sh` on a line of its own: replaced by that file, so shell functions several
 * scripts share are inlined (each rendered script stays one self-contained file) while the template
 * itself stays valid shell that shellcheck can read.
 */
const include = /^# ha-web:include (\S+)$/gm;

/** A template from `files/` (they ship with the program, so reading one is as fixed as an import), includes expanded. */
export function readTemplate(name: string): string {
    return fs.readFileSync(path.join(filesDir, name), "utf8").replace(include, (_line, file: string) => readTemplate(file).trimEnd());
}

/** Renders a template from `files/`. */
export function renderFile(name: string, values: Record<string, string>): string {
    return renderTemplate(readTemplate(name), values, `files/${name}`);
}
