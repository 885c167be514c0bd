// Backups beyond the database's own: the program's buckets for etcd snapshots and Velero, and
// Velero itself (resources daily, volumes weekly).
export * from "./bucket";
export * from "./iam";
