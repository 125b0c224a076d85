import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../../local/stack/stackLayout";
import { pages, readPage } from "../../scripts/results/docsFiles";

/**
 * The README and docs/ pages as a reader follows them: every relative link leads to a file (and a
 * heading, when it names one), and the README's picture of the code names exactly the folders the
 * repository has.
 */

/** Pages other work adds; the README links them already. */
const pagesToCome = ["docs/cli.md", "docs/aws-permissions.md"];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
    return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

function anchorsOf(text: string): Set<string> {
    const withoutCode = text.replace(/```[\s\S]*?```/g, "");
    return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1])));
}

function relativeLinks(text: string): string[] {
    const withoutCode = text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
    return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((link) => !/^[a-z]+:/.test(link));
}

/** The fenced picture under the README's "How it works inside": top-level entries and their indented subfolders. */
function pictured(): { top: Set<string>; sub: Map<string, Set<string>> } {
    const readme = readPage("README.md");
    const section = readme.slice(readme.indexOf("## How it works inside"));
    const picture = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const top = new Set<string>();
    const sub = new Map<string, Set<string>>();
    let parent = "";
    for (const line of picture.split("\n")) {
        const entry = /^( *)(\S+\/)(?= |$)/.exec(line);
        if (!entry) continue;
        if (entry[1] === "") {
            parent = entry[2];
            top.add(parent);
        } else {
            sub.set(parent, (sub.get(parent) ?? new Set()).add(entry[2]));
        }
    }
    return { top, sub };
}

describe("the README and docs/ pages", () => {
    const tracked = execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" }).split("\n").filter((f) => f !== "");
    const folders = (under: string) => new Set(tracked.filter((f) => f.startsWith(under) && f.slice(under.length).includes("/"))
        .map((f) => f.slice(under.length).split("/")[0] + "/"));

    it("link only to files and headings that exist", () => {
        const broken: string[] = [];
        for (const page of pages()) {
            for (const link of relativeLinks(readPage(page))) {
                const [target, hash] = link.split("#");
                const file = target === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), target));
                if (pagesToCome.includes(file)) continue;
                if (!fs.existsSync(path.join(repoRoot, file))) {
                    broken.push(`${page}: ${link} (no ${file})`);
                } else if (hash !== undefined && file.endsWith(".md") && !anchorsOf(readPage(file)).has(hash)) {
                    broken.push(`${page}: ${link} (no heading #${hash} in ${file})`);
                }
            }
        }
        expect(broken).to.deep.equal([]);
    });

    it("picture every top-level folder of the repository in the README, and no other", () => {
        expect([...pictured().top].sort()).to.deep.equal([...folders("")].sort());
    });

    for (const parent of ["components/", "local/", "tests/"]) {
        it(`picture every folder of ${parent} in the README, and no other`, () => {
            expect([...(pictured().sub.get(parent) ?? [])].sort()).to.deep.equal([...folders(parent)].sort());
        });
    }
});
