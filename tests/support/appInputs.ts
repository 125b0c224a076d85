import { appDefaults } from "../../components/plan/appSettings";
import { defaultCanarySettings } from "../../components/plan/canarySettings";
import { AppInputs } from "../../components/plan/hostPlan";

const sampleLimits = { memoryMb: appDefaults.appMemoryMb, pids: appDefaults.appPidsLimit };

/** The sample app's settings as a plan gets them when the stack sets no app key. */
export const sampleAppInputs: AppInputs<string> = {
    healthPath: appDefaults.appHealthPath,
    env: {},
    secrets: {},
    migrateCommand: appDefaults.appMigrateCommand,
    canary: defaultCanarySettings(),
    limits: sampleLimits,
    maxRequestBodyKb: appDefaults.appMaxRequestBodyKb,
};

/** The host files' view of the sample app, with the database variables the env file holds. */
export const sampleAppContract = { healthPath: appDefaults.appHealthPath, envNames: ["DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD_FILE"], secretNames: ["DB_PASSWORD"], limits: sampleLimits,
    maxRequestBodyKb: appDefaults.appMaxRequestBodyKb,
};
