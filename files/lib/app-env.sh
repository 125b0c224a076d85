# with_app_env COMMAND ARGS...: runs COMMAND with the app's env files (ENV_FILE, DB_TLS_ENV_FILE: one
# NAME=value per line) added to its environment. The lines are data all the way: Python reads them
# and execs COMMAND with them, so no name ever becomes a shell variable of this script (an appEnv
# name such as IMAGE or project would otherwise overwrite the deploy's own) and no value is
# expanded. The values reach docker-compose byte for byte, which passes each by name to the app
# (docker-compose 1.29's env_file would expand ${...}: python-dotenv interpolates even quoted values).
# Names that steer docker-compose, the loader or TLS are refused earlier, when the config is read
# (components/plan/appSettings.ts); here a malformed line stops the deploy.
readonly APP_ENV_EXEC='
import os, re, sys
files, command = sys.argv[1:3], sys.argv[3:]
env = dict(os.environ)
for path in files:
    with open(path, encoding="utf-8") as lines:
        for line in lines.read().split("\n"):
            name, sep, value = line.partition("=")
            if not line:
                continue
            if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                sys.exit("ha-web-deploy: " + path + " has a line that is not NAME=value; run pulumi up to place it again")
            env[name] = value
os.execvpe(command[0], command, env)
'

with_app_env() {
  python3 -c "$APP_ENV_EXEC" "$ENV_FILE" "$DB_TLS_ENV_FILE" "$@"
}
