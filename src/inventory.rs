//! An RDS inventory: what `aws rds describe-db-instances`,
//! `describe-db-clusters` and `describe-db-engine-versions` print (JSON, one
//! page or several one after the other, in one file or many). `analyze
//! --instances` joins it to the report's rows; `sslcensus plan` to reports.
//!
//! Each instance the logs can name becomes a [`Node`]: a DB instance (alone,
//! in an Aurora cluster, or in a Multi-AZ DB cluster, whose CA is changed on
//! the cluster), or an Aurora Serverless v1 cluster, which has no instances
//! and presents an ACM certificate the RDS CA rotation does not touch.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::verdict::{ReportRow, Values, Verdict, Verification};

/// The CA new instances get since January 2024 (docs/FORMATS.md).
pub const DEFAULT_TARGET_CA: &str = "rds-ca-rsa2048-g1";

/// What a node is, for the command that changes its CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A DB instance on its own: `modify-db-instance`.
    Instance,
    /// An Aurora cluster's instance: each instance has its own CA,
    /// `modify-db-instance`.
    Aurora { cluster: String },
    /// An instance of a Multi-AZ DB cluster: its instances cannot be
    /// modified, the CA is the cluster's (`modify-db-cluster`).
    MultiAz { cluster: String },
    /// An Aurora Serverless v1 cluster: an ACM certificate, no RDS CA.
    ServerlessV1,
}

/// One instance (or Serverless v1 cluster) as the inventory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The DB instance identifier (the cluster's, for Serverless v1): the
    /// name CloudWatch log streams and sslcensus reports give it.
    pub id: String,
    pub engine: String,
    pub engine_version: String,
    /// `CACertificateIdentifier` (empty where the inventory does not say).
    pub ca: String,
    /// `CertificateDetails.ValidTill`: the server certificate's expiry,
    /// not the CA's.
    pub server_certificate_valid_till: String,
    pub kind: Kind,
}

/// The nodes, and what `describe-db-engine-versions` said of rotating
/// without a restart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    pub nodes: Vec<Node>,
    /// (engine, version) → `SupportsCertificateRotationWithoutRestart`.
    rotation_without_restart: BTreeMap<(String, String), bool>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(rename = "DBInstances")]
    db_instances: Option<Vec<DbInstance>>,
    #[serde(rename = "DBClusters")]
    db_clusters: Option<Vec<DbCluster>>,
    #[serde(rename = "DBEngineVersions")]
    db_engine_versions: Option<Vec<DbEngineVersion>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DbInstance {
    #[serde(rename = "DBInstanceIdentifier")]
    db_instance_identifier: String,
    #[serde(default)]
    engine: String,
    #[serde(default)]
    engine_version: String,
    #[serde(rename = "DBClusterIdentifier", default)]
    db_cluster_identifier: Option<String>,
    #[serde(rename = "CACertificateIdentifier", default)]
    ca_certificate_identifier: Option<String>,
    #[serde(default)]
    certificate_details: Option<CertificateDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DbCluster {
    #[serde(rename = "DBClusterIdentifier")]
    db_cluster_identifier: String,
    #[serde(default)]
    engine: String,
    #[serde(default)]
    engine_version: String,
    /// `provisioned`, `serverless` (v1), `parallelquery`, `global`…
    #[serde(default)]
    engine_mode: Option<String>,
    #[serde(rename = "DBClusterMembers", default)]
    db_cluster_members: Vec<DbClusterMember>,
    /// Multi-AZ DB clusters carry their CA.
    #[serde(default)]
    certificate_details: Option<CertificateDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DbClusterMember {
    #[serde(rename = "DBInstanceIdentifier")]
    db_instance_identifier: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CertificateDetails {
    #[serde(rename = "CAIdentifier", default)]
    ca_identifier: Option<String>,
    #[serde(default)]
    valid_till: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DbEngineVersion {
    #[serde(default)]
    engine: String,
    #[serde(default)]
    engine_version: String,
    #[serde(default)]
    supports_certificate_rotation_without_restart: Option<bool>,
}

/// What the pages of all files say, before instances and clusters are
/// put together (a cluster's page may come after its instances').
#[derive(Default)]
pub struct Reader {
    instances: Vec<DbInstance>,
    clusters: Vec<DbCluster>,
    versions: Vec<DbEngineVersion>,
}

impl Reader {
    /// Reads one file's pages; `name` names it in errors.
    pub fn read(&mut self, text: &str, name: &str) -> Result<()> {
        let pages = serde_json::Deserializer::from_str(text).into_iter::<Page>();
        let mut any = false;
        for (n, page) in pages.enumerate() {
            let page = page.with_context(|| {
                format!("{name}: page {} is not describe-db-instances, describe-db-clusters or describe-db-engine-versions JSON", n + 1)
            })?;
            if page.db_instances.is_none()
                && page.db_clusters.is_none()
                && page.db_engine_versions.is_none()
            {
                bail!(
                    "{name}: page {} has no DBInstances, DBClusters or DBEngineVersions",
                    n + 1
                );
            }
            any = true;
            self.instances.extend(page.db_instances.unwrap_or_default());
            self.clusters.extend(page.db_clusters.unwrap_or_default());
            self.versions
                .extend(page.db_engine_versions.unwrap_or_default());
        }
        if !any {
            bail!("{name}: empty (describe-db-instances JSON expected)");
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Inventory> {
        let clusters: BTreeMap<&str, &DbCluster> = self
            .clusters
            .iter()
            .map(|c| (c.db_cluster_identifier.as_str(), c))
            .collect();
        let mut nodes = Vec::new();
        let mut listed = BTreeSet::new();
        for db in &self.instances {
            let cluster = db.db_cluster_identifier.as_deref();
            let kind = match cluster {
                None => Kind::Instance,
                Some(id) => cluster_kind(
                    id,
                    clusters.get(id).map_or(db.engine.as_str(), |c| &c.engine),
                ),
            };
            let details = db.certificate_details.as_ref();
            let cluster_details = cluster
                .and_then(|id| clusters.get(id))
                .and_then(|c| c.certificate_details.as_ref());
            // A Multi-AZ DB cluster's instances carry the cluster's CA; where
            // a page lacks it on the instance, the cluster's says it.
            let ca = db
                .ca_certificate_identifier
                .clone()
                .or_else(|| details.and_then(|d| d.ca_identifier.clone()))
                .or_else(|| cluster_details.and_then(|d| d.ca_identifier.clone()))
                .unwrap_or_default();
            let valid_till = details
                .or(cluster_details)
                .and_then(|d| d.valid_till.clone())
                .unwrap_or_default();
            listed.insert(db.db_instance_identifier.as_str());
            nodes.push(Node {
                id: db.db_instance_identifier.clone(),
                engine: db.engine.clone(),
                engine_version: db.engine_version.clone(),
                ca,
                server_certificate_valid_till: valid_till,
                kind,
            });
        }
        for c in &self.clusters {
            let details = c.certificate_details.as_ref();
            let ca = details
                .and_then(|d| d.ca_identifier.clone())
                .unwrap_or_default();
            let valid_till = details
                .and_then(|d| d.valid_till.clone())
                .unwrap_or_default();
            if c.engine_mode.as_deref() == Some("serverless") {
                nodes.push(Node {
                    id: c.db_cluster_identifier.clone(),
                    engine: c.engine.clone(),
                    engine_version: c.engine_version.clone(),
                    ca,
                    server_certificate_valid_till: valid_till,
                    kind: Kind::ServerlessV1,
                });
                continue;
            }
            // Members describe-db-instances did not list: known by name,
            // with what the cluster tells (an Aurora instance's CA is its
            // own, so unknown here).
            let kind = cluster_kind(&c.db_cluster_identifier, &c.engine);
            for m in &c.db_cluster_members {
                if listed.insert(m.db_instance_identifier.as_str()) {
                    nodes.push(Node {
                        id: m.db_instance_identifier.clone(),
                        engine: c.engine.clone(),
                        engine_version: c.engine_version.clone(),
                        ca: match kind {
                            Kind::MultiAz { .. } => ca.clone(),
                            _ => String::new(),
                        },
                        server_certificate_valid_till: match kind {
                            Kind::MultiAz { .. } => valid_till.clone(),
                            _ => String::new(),
                        },
                        kind: kind.clone(),
                    });
                }
            }
        }
        if nodes.is_empty() {
            bail!(
                "no DB instances or clusters in the inventory (describe-db-instances JSON expected)"
            );
        }
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        nodes.dedup_by(|a, b| a.id == b.id);
        let rotation_without_restart = self
            .versions
            .into_iter()
            .filter_map(|v| {
                Some((
                    (v.engine, v.engine_version),
                    v.supports_certificate_rotation_without_restart?,
                ))
            })
            .collect();
        Ok(Inventory {
            nodes,
            rotation_without_restart,
        })
    }
}

/// Aurora clusters' engines are named `aurora-*`; a Multi-AZ DB cluster
/// runs the plain engine.
fn cluster_kind(cluster: &str, engine: &str) -> Kind {
    if engine.starts_with("aurora") {
        Kind::Aurora {
            cluster: cluster.to_string(),
        }
    } else {
        Kind::MultiAz {
            cluster: cluster.to_string(),
        }
    }
}

impl Inventory {
    /// Reads inventory files (any mix of the three commands' output).
    pub fn read_files(paths: &[std::path::PathBuf]) -> Result<Inventory> {
        let mut reader = Reader::default();
        for path in paths {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            reader.read(&text, &path.display().to_string())?;
        }
        reader.finish()
    }

    /// Reads one text (tests, one file).
    pub fn from_text(text: &str, name: &str) -> Result<Inventory> {
        let mut reader = Reader::default();
        reader.read(text, name)?;
        reader.finish()
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes
            .binary_search_by(|n| n.id.as_str().cmp(id))
            .ok()
            .map(|at| &self.nodes[at])
    }

    /// Whether `describe-db-engine-versions` said the node's engine version
    /// loads a new certificate without a restart (`None`: not given).
    pub fn rotates_without_restart(&self, node: &Node) -> Option<bool> {
        self.rotation_without_restart
            .get(&(node.engine.clone(), node.engine_version.clone()))
            .copied()
    }
}

/// Whether the rotation concerns an instance the report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// Clients the logs saw may use TLS and the CA is not the target yet.
    Concerned,
    /// Every row the logs show is proven plaintext (not_affected, no TLS
    /// session, no handshake failure): no client of the logs' window
    /// uses TLS.
    NoTlsClients,
    /// Already on the target CA.
    OnTargetCa,
    /// Aurora Serverless v1: an ACM certificate, the RDS CA does not apply.
    AcmCertificate,
    /// The inventory does not list the instance.
    NotInInventory,
    /// In the inventory, no log of it was read.
    NotObserved,
}

impl Concern {
    pub fn name(self) -> &'static str {
        match self {
            Concern::Concerned => "concerned",
            Concern::NoTlsClients => "no_tls_clients",
            Concern::OnTargetCa => "on_target_ca",
            Concern::AcmCertificate => "acm_certificate",
            Concern::NotInInventory => "not_in_inventory",
            Concern::NotObserved => "not_observed",
        }
    }
}

/// A pure function of the node, what the instance's rows showed, and the
/// target CA. `tls_possible`: some row of the instance is not proven
/// plaintext.
pub fn concern(node: Option<&Node>, observed: bool, tls_possible: bool, target: &str) -> Concern {
    match node {
        None => Concern::NotInInventory,
        Some(n) if n.kind == Kind::ServerlessV1 => Concern::AcmCertificate,
        Some(n) if n.ca == target => Concern::OnTargetCa,
        Some(_) if !observed => Concern::NotObserved,
        Some(_) if !tls_possible => Concern::NoTlsClients,
        Some(_) => Concern::Concerned,
    }
}

/// The application of the row `analyze --instances` writes for an
/// inventory instance no log showed (`plan` knows it is no client).
pub const NOT_OBSERVED: &str = "[not observed]";

/// The report's inventory columns, after its own.
pub const COLUMNS: [&str; 5] = [
    "rds_engine",
    "rds_engine_version",
    "ca",
    "server_certificate_valid_till",
    "rotation",
];

/// The inventory's facts of a row's instances (a row grouped over several
/// instances lists each one's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryCells {
    pub engine: Values,
    pub engine_version: Values,
    pub ca: Values,
    pub server_certificate_valid_till: Values,
    pub rotation: Values,
}

impl InventoryCells {
    /// The cells in [`COLUMNS`]' order.
    pub fn cells(&self) -> [&Values; 5] {
        [
            &self.engine,
            &self.engine_version,
            &self.ca,
            &self.server_certificate_valid_till,
            &self.rotation,
        ]
    }
}

/// What joining the inventory to the rows found, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Joined {
    /// Inventory instances no log showed (each now a `review` row).
    pub not_observed: Vec<String>,
    /// Instances of the rows that the inventory does not list.
    pub not_in_inventory: Vec<String>,
    /// Instances the rotation does not concern (Serverless v1, already on
    /// the target CA) that no log showed: no row is added for them.
    pub not_concerned: Vec<String>,
}

/// Adds each row's inventory cells, and a `review` row for each inventory
/// instance no log showed: an instance the logs did not cover is never
/// silently absent from the report (and `--fail-on review` fails on it).
pub fn join(rows: &mut Vec<ReportRow>, inventory: &Inventory, target: &str) -> Joined {
    // Per instance: observed, and whether some row is not proven plaintext.
    let mut seen: BTreeMap<&str, bool> = BTreeMap::new();
    for row in rows.iter() {
        let tls_possible = row.verdict != Verdict::NotAffected
            || row.tls_sessions > 0
            || row.handshake_failures > 0;
        for instance in row.instance.items() {
            *seen.entry(instance.as_str()).or_default() |= tls_possible;
        }
    }
    let concerns: BTreeMap<String, Concern> = seen
        .iter()
        .map(|(&id, &tls)| {
            (
                id.to_string(),
                concern(inventory.node(id), true, tls, target),
            )
        })
        .collect();
    let mut joined = Joined {
        not_in_inventory: concerns
            .iter()
            .filter(|(_, c)| **c == Concern::NotInInventory)
            .map(|(id, _)| id.clone())
            .collect(),
        ..Joined::default()
    };
    let mut added = Vec::new();
    for node in &inventory.nodes {
        if concerns.contains_key(&node.id) {
            continue;
        }
        match concern(Some(node), false, false, target) {
            Concern::NotObserved => {
                joined.not_observed.push(node.id.clone());
                added.push(not_observed_row(node));
            }
            _ => joined.not_concerned.push(node.id.clone()),
        }
    }
    rows.extend(added);
    for row in rows.iter_mut() {
        let nodes: Vec<(&str, Option<&Node>)> = row
            .instance
            .items()
            .iter()
            .map(|id| (id.as_str(), inventory.node(id)))
            .collect();
        let distinct = |f: &dyn Fn(&Node) -> &str| {
            let set: BTreeSet<String> = nodes
                .iter()
                .filter_map(|(_, n)| n.map(f))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect();
            Values::new(set.into_iter().collect())
        };
        let rotation: BTreeSet<&str> = nodes
            .iter()
            .map(|(id, n)| match concerns.get(*id) {
                Some(c) => c.name(),
                None => concern(*n, false, false, target).name(),
            })
            .collect();
        row.inventory = Some(Box::new(InventoryCells {
            engine: distinct(&|n| &n.engine),
            engine_version: distinct(&|n| &n.engine_version),
            ca: distinct(&|n| &n.ca),
            server_certificate_valid_till: distinct(&|n| &n.server_certificate_valid_till),
            rotation: Values::new(rotation.into_iter().map(str::to_string).collect()),
        }));
    }
    joined
}

/// sslcensus's engine name for an RDS engine (`aurora-postgresql` →
/// `postgres`).
fn engine_name(rds: &str) -> &str {
    match rds {
        e if e.contains("postgres") => "postgres",
        e if e.contains("mariadb") => "mariadb",
        e if e.starts_with("aurora") || e.contains("mysql") => "mysql",
        e if e.starts_with("oracle") || e.starts_with("custom-oracle") => "oracle",
        e if e.starts_with("sqlserver") || e.starts_with("custom-sqlserver") => "sqlserver",
        other => other,
    }
}

fn not_observed_row(node: &Node) -> ReportRow {
    let one = |s: &str| Values::new(vec![s.to_string()]);
    ReportRow {
        instance: one(&node.id),
        engine: one(engine_name(&node.engine)),
        user: one(crate::census::UNKNOWN),
        database: one(crate::census::UNKNOWN),
        application: one(NOT_OBSERVED),
        client_hosts: Values::default(),
        first_seen: None,
        last_seen: None,
        sessions: 0,
        tls_sessions: 0,
        plain_sessions: 0,
        tls_versions: Values::default(),
        ciphers: Values::default(),
        handshake_failures: 0,
        verification: Verification::Unknown,
        verdict: Verdict::Review,
        reason: "not observed: the inventory lists this instance, but no log of it was read, so its clients are unknown; analyze its connection logs (PostgreSQL log_connections; MySQL/MariaDB the general or audit log; the Oracle listener log) before rotating its CA".into(),
        application_names: 0,
        application_examples: Values::default(),
        drivers: Values::default(),
        inventory: None,
        days: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(ca: &str, kind: Kind) -> Node {
        Node {
            id: "db".into(),
            engine: "postgres".into(),
            engine_version: "15.5".into(),
            ca: ca.into(),
            server_certificate_valid_till: String::new(),
            kind,
        }
    }

    #[test]
    fn concern_table() {
        let t = DEFAULT_TARGET_CA;
        let old = node("rds-ca-2019", Kind::Instance);
        let on = node(t, Kind::Instance);
        let v1 = node("", Kind::ServerlessV1);
        // (node, observed, tls possible, concern)
        let table = [
            (Some(&old), true, true, Concern::Concerned),
            (Some(&old), true, false, Concern::NoTlsClients),
            (Some(&old), false, false, Concern::NotObserved),
            (Some(&on), true, true, Concern::OnTargetCa),
            (Some(&on), false, false, Concern::OnTargetCa),
            (Some(&v1), true, true, Concern::AcmCertificate),
            (None, true, true, Concern::NotInInventory),
        ];
        for (n, observed, tls, want) in table {
            assert_eq!(concern(n, observed, tls, t), want, "{n:?} {observed} {tls}");
        }
    }

    #[test]
    fn pages_of_three_commands_are_one_inventory() {
        let text = r#"{"DBInstances":[{"DBInstanceIdentifier":"a","Engine":"postgres","EngineVersion":"15.5","CACertificateIdentifier":"rds-ca-2019","CertificateDetails":{"CAIdentifier":"rds-ca-2019","ValidTill":"2024-08-22T17:08:50+00:00"}}],"NextToken":"x"}
{"DBInstances":[{"DBInstanceIdentifier":"b","Engine":"mariadb","EngineVersion":"10.11.6","CertificateDetails":{"CAIdentifier":"rds-ca-ecc384-g1"}},
 {"DBInstanceIdentifier":"aurora-1","Engine":"aurora-postgresql","EngineVersion":"15.4","DBClusterIdentifier":"billing","CACertificateIdentifier":"rds-ca-2019"},
 {"DBInstanceIdentifier":"maz-1","Engine":"postgres","EngineVersion":"16.3","DBClusterIdentifier":"maz"}]}
{"DBClusters":[{"DBClusterIdentifier":"maz","Engine":"postgres","EngineVersion":"16.3","DBClusterMembers":[{"DBInstanceIdentifier":"maz-1","IsClusterWriter":true},{"DBInstanceIdentifier":"maz-2","IsClusterWriter":false}],"CertificateDetails":{"CAIdentifier":"rds-ca-rsa4096-g1","ValidTill":"2027-01-01T00:00:00+00:00"}},
 {"DBClusterIdentifier":"legacy","Engine":"aurora-mysql","EngineVersion":"5.7.mysql_aurora.2.11.4","EngineMode":"serverless","DBClusterMembers":[]}]}
{"DBEngineVersions":[{"Engine":"postgres","EngineVersion":"15.5","SupportsCertificateRotationWithoutRestart":true},{"Engine":"mariadb","EngineVersion":"10.11.6","SupportsCertificateRotationWithoutRestart":false}]}"#;
        let inv = Inventory::from_text(text, "inv.json").unwrap();
        let ids: Vec<&str> = inv.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["a", "aurora-1", "b", "legacy", "maz-1", "maz-2"]);
        let a = inv.node("a").unwrap();
        assert_eq!(
            (a.ca.as_str(), a.server_certificate_valid_till.as_str()),
            ("rds-ca-2019", "2024-08-22T17:08:50+00:00")
        );
        assert_eq!(inv.rotates_without_restart(a), Some(true));
        assert_eq!(
            inv.rotates_without_restart(inv.node("b").unwrap()),
            Some(false)
        );
        assert_eq!(
            inv.rotates_without_restart(inv.node("maz-1").unwrap()),
            None
        );
        assert_eq!(inv.node("b").unwrap().ca, "rds-ca-ecc384-g1");
        assert_eq!(
            inv.node("aurora-1").unwrap().kind,
            Kind::Aurora {
                cluster: "billing".into()
            }
        );
        // A Multi-AZ DB cluster's CA is the cluster's, on every member.
        for id in ["maz-1", "maz-2"] {
            let m = inv.node(id).unwrap();
            assert_eq!(
                m.kind,
                Kind::MultiAz {
                    cluster: "maz".into()
                }
            );
            assert_eq!(m.ca, "rds-ca-rsa4096-g1");
        }
        assert_eq!(inv.node("legacy").unwrap().kind, Kind::ServerlessV1);
        assert!(inv.node("absent").is_none());
    }

    #[test]
    fn what_is_no_inventory_is_said() {
        for bad in ["{}", "not json", "", r#"{"Certificates":[]}"#] {
            assert!(Inventory::from_text(bad, "x.json").is_err(), "{bad}");
        }
        let err = Inventory::from_text(r#"{"DBInstances":[]}"#, "x.json").unwrap_err();
        assert!(err.to_string().contains("no DB instances"), "{err}");
    }
}
