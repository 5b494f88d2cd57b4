use super::*;

/// A row: application, host, (sessions are tls + plain), tls, plain,
/// failures, verifies.
fn row(app: &str, host: &str, tls: u64, plain: u64, failures: u64, verifies: bool) -> ClientRow {
    let nameless = app == UNKNOWN;
    ClientRow {
        instance: "staging".into(),
        user: if nameless { UNKNOWN } else { "app" }.into(),
        database: if nameless { UNKNOWN } else { "appdb" }.into(),
        application: app.into(),
        hosts: vec![host.into()],
        counts: Counts {
            sessions: tls + plain,
            tls_sessions: tls,
            plain_sessions: plain,
            handshake_failures: failures,
            verifies,
        },
    }
}

/// (application, kinds, severity) of each change.
fn listed(changes: &[Change]) -> Vec<(String, Vec<&'static str>, &'static str)> {
    changes
        .iter()
        .map(|c| {
            (
                c.client.application.clone(),
                c.kinds.iter().map(|k| k.as_str()).collect(),
                c.severity.as_str(),
            )
        })
        .collect()
}

#[test]
fn each_kind_of_change_from_its_rows() {
    type Case = (
        &'static str,
        Vec<ClientRow>,
        Vec<ClientRow>,
        Vec<(&'static str, Vec<&'static str>, &'static str)>,
    );
    let cases: Vec<Case> = vec![
        (
            "unchanged clients are left out",
            vec![
                row("a", "10.0.0.1", 5, 0, 0, false),
                row("b", "10.0.0.2", 0, 3, 0, false),
            ],
            vec![
                row("a", "10.0.0.1", 7, 0, 0, false),
                row("b", "10.0.0.2", 0, 1, 0, false),
            ],
            vec![],
        ),
        (
            "verify-full turned away: the rejection has no name, tied by address",
            vec![row("vf", "10.0.0.1", 5, 0, 0, false)],
            vec![row(UNKNOWN, "10.0.0.1", 0, 0, 4, true)],
            vec![("vf", vec!["started_failing"], "affected")],
        ),
        (
            "prefer with the old root: rejection, then plaintext",
            vec![row("pf", "10.0.0.3", 5, 0, 0, false)],
            vec![row("pf", "10.0.0.3", 0, 4, 4, true)],
            vec![(
                "pf",
                vec!["started_failing", "tls_to_plaintext"],
                "affected",
            )],
        ),
        (
            "prefer whose rejection went to the address's own row",
            vec![row("pf", "10.0.0.3", 5, 0, 0, false)],
            vec![
                row("pf", "10.0.0.3", 0, 4, 0, true),
                row(UNKNOWN, "10.0.0.3", 0, 0, 4, true),
            ],
            vec![(
                "pf",
                vec!["started_failing", "tls_to_plaintext"],
                "affected",
            )],
        ),
        (
            "a prefer rejection in the second before T is read by both windows",
            vec![row("pf", "10.0.0.3", 5, 0, 1, true)],
            vec![row("pf", "10.0.0.3", 0, 4, 5, true)],
            vec![("pf", vec!["still_failing", "tls_to_plaintext"], "affected")],
        ),
        (
            "plaintext without a logged rejection: review",
            vec![row("pf", "10.0.0.3", 5, 0, 0, false)],
            vec![row("pf", "10.0.0.3", 0, 4, 0, false)],
            vec![("pf", vec!["tls_to_plaintext"], "review")],
        ),
        (
            "a client that keeps TLS at the address keeps the rejection (the report gave it)",
            vec![
                row("vf", "10.0.0.1", 5, 0, 0, false),
                row("rq", "10.0.0.1", 5, 0, 0, false),
            ],
            vec![row("rq", "10.0.0.1", 5, 0, 3, true)],
            vec![
                ("rq", vec!["started_failing"], "affected"),
                ("vf", vec!["gone_client"], "review"),
            ],
        ),
        (
            "a lone connection received at the address: stopped connecting",
            vec![row("vf", "10.0.0.1", 5, 0, 0, false)],
            vec![row(UNKNOWN, "10.0.0.1", 0, 0, 0, false)],
            vec![
                ("vf", vec!["stopped_connecting"], "review"),
                (UNKNOWN, vec!["new_client"], "info"),
            ],
        ),
        (
            "a plaintext client gone, a TLS one new, one now on TLS",
            vec![
                row("old", "10.0.0.5", 0, 2, 0, false),
                row("up", "10.0.0.6", 0, 2, 0, false),
            ],
            vec![
                row("new", "10.0.0.7", 3, 0, 0, false),
                row("up", "10.0.0.6", 2, 0, 0, false),
            ],
            vec![
                ("old", vec!["gone_client"], "review"),
                ("new", vec!["new_client"], "info"),
                ("up", vec!["plaintext_to_tls"], "info"),
            ],
        ),
        (
            "a new client turned away at the handshake",
            vec![],
            vec![row(UNKNOWN, "10.0.0.9", 0, 0, 2, true)],
            vec![(UNKNOWN, vec!["started_failing", "new_client"], "affected")],
        ),
        (
            "a plaintext client at a rejected address is not the verifier",
            vec![row("pl", "10.0.0.1", 0, 5, 0, false)],
            vec![
                row("pl", "10.0.0.1", 0, 5, 0, false),
                row(UNKNOWN, "10.0.0.1", 0, 0, 2, true),
            ],
            vec![(UNKNOWN, vec!["started_failing", "new_client"], "affected")],
        ),
        (
            "rejected before and after: still failing",
            vec![row(UNKNOWN, "10.0.0.8", 0, 0, 2, true)],
            vec![row(UNKNOWN, "10.0.0.8", 0, 0, 2, true)],
            vec![(UNKNOWN, vec!["still_failing"], "affected")],
        ),
    ];
    for (what, before, after, want) in cases {
        let mut got = listed(&diff(&before, &after));
        got.sort();
        let mut want: Vec<_> = want
            .into_iter()
            .map(|(a, k, s)| (a.to_string(), k, s))
            .collect();
        want.sort();
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn reports_grouped_by_host_keep_a_row_per_host() {
    let before = vec![
        row("api", "10.0.0.1", 5, 0, 0, false),
        row("api", "10.0.0.2", 5, 0, 0, false),
    ];
    let after = vec![
        row("api", "10.0.0.1", 5, 0, 0, false),
        row(UNKNOWN, "10.0.0.2", 0, 0, 3, true),
    ];
    let changes = diff(&before, &after);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].client.hosts, ["10.0.0.2"]);
    assert_eq!(changes[0].kinds, [Kind::StartedFailing]);
    assert!(changes[0].tied_by_address);
    assert_eq!(changes[0].after.unwrap().handshake_failures, 3);
}

#[test]
fn rows_whose_hosts_change_are_the_same_client_by_name() {
    // Default grouping: a client is its name; a new pod address is no change.
    let before = vec![row("api", "10.0.0.1", 5, 0, 0, false)];
    let after = vec![row("api", "10.0.0.9", 5, 0, 0, false)];
    assert!(diff(&before, &after).is_empty());
    // Only a name listed once per address is told apart by its addresses.
    let before = vec![
        row("api", "10.0.0.1", 5, 0, 0, false),
        row("api", "10.0.0.2", 5, 0, 0, false),
        row("web", "10.0.0.5", 5, 0, 0, false),
    ];
    let after = vec![
        row("api", "10.0.0.1", 5, 0, 0, false),
        row("api", "10.0.0.3", 5, 0, 0, false),
        row("web", "10.0.0.9", 5, 0, 0, false),
    ];
    let changed: Vec<(Vec<Kind>, Vec<String>)> = diff(&before, &after)
        .into_iter()
        .map(|c| (c.kinds, c.client.hosts))
        .collect();
    assert_eq!(
        changed,
        [
            (vec![Kind::GoneClient], vec!["10.0.0.2".to_string()]),
            (vec![Kind::NewClient], vec!["10.0.0.3".to_string()]),
        ]
    );
}

#[test]
fn affected_changes_come_first() {
    let before = vec![
        row("gone", "10.0.0.1", 1, 0, 0, false),
        row("vf", "10.0.0.2", 1, 0, 0, false),
    ];
    let after = vec![
        row(UNKNOWN, "10.0.0.2", 0, 0, 1, true),
        row("new", "10.0.0.3", 1, 0, 0, false),
    ];
    let severities: Vec<Severity> = diff(&before, &after).iter().map(|c| c.severity).collect();
    assert_eq!(
        severities,
        [Severity::Affected, Severity::Review, Severity::Info]
    );
}
