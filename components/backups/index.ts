// Backups beyond the database's own: the program's buckets for etcd snapshots and Velero, and
// Velero itself (resources daily, everything with the declared volumes weekly).
export * from "./bucket";
export * from "./iam";
export * from "./layer";
export * from "./velero";
export * from "./volumes";
