import { AppNetwork } from "../../components/plan/appNetwork";

/** What the test plans' apps may reach: a database in the VPC, as on AWS. */
export const testAppNetwork: AppNetwork = { databaseCidr: "10.0.0.0/16", databasePort: 3306 };
