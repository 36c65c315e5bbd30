//! `tailguard k8s render`: the manifests of a sharded run on Kubernetes — a ConfigMap with the
//! scenario and an Indexed Job whose completion index is the shard (the way k6-operator does
//! it, with the engine users already have). Strings are written as JSON strings, which YAML
//! reads as double-quoted scalars, so no value can break the document.

use std::fmt::Write as _;
use std::time::SystemTime;

use anyhow::Context as _;
use bench_core::result::{new_run_id, rfc3339};

use crate::cli::K8sRenderArgs;
use crate::Exit;

/// Run the command.
pub fn command(args: &K8sRenderArgs) -> anyhow::Result<Exit> {
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("reading {}", args.scenario.display()))?;
    // Parse it here, so a broken scenario fails now and not in N pods.
    bench_core::Scenario::parse(&text, &args.scenario, &[], &|n| std::env::var(n).ok())?;
    if args.parallelism == 0 {
        anyhow::bail!("--parallelism must be at least 1");
    }
    let stem = args
        .scenario
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("tailguard-{stem}"));
    let name = dns_label(&name)?;
    let run_id = new_run_id();
    let start_at = rfc3339(SystemTime::now() + args.start_in);
    let yaml = render(args, &name, &text, &run_id, &start_at);
    match &args.out {
        Some(out) => {
            crate::output::text(out, &yaml)?;
            eprintln!(
                "run {run_id}: {} shards starting at {start_at}; kubectl apply -f {} now",
                args.parallelism,
                out.display()
            );
        }
        None => print!("{yaml}"),
    }
    Ok(Exit::Success)
}

/// A Kubernetes name: lower-case alphanumerics and `-`, at most 63 characters.
fn dns_label(name: &str) -> anyhow::Result<String> {
    let n: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let n = n.trim_matches('-').to_owned();
    if n.is_empty() || n.len() > 52 {
        anyhow::bail!(
            "--name {name:?}: need 1 to 52 letters, digits or dashes (the pods add a suffix)"
        );
    }
    Ok(n)
}

fn q(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn render(
    args: &K8sRenderArgs,
    name: &str,
    scenario: &str,
    run_id: &str,
    start_at: &str,
) -> String {
    let n = args.parallelism;
    let mut run = vec![
        "run".to_owned(),
        "/etc/tailguard/scenario.toml".into(),
        "--shard".into(),
        format!("$(SHARD_INDEX)/{n}"),
        "--run-id".into(),
        run_id.into(),
        "--start-at".into(),
        start_at.into(),
        "--quiet".into(),
        "--out".into(),
        "-".into(),
    ];
    if args.store_secret.is_some() {
        run.push("--save".into());
    }
    run.extend(args.args.iter().cloned());
    let labels = format!(
        "app.kubernetes.io/name: tailguard\n    app.kubernetes.io/instance: {}\n    tailguard.dev/run-id: {}",
        q(name),
        q(run_id)
    );
    let mut y = String::new();
    let _ = write!(
        y,
        "# tailguard run {run_id}: {n} shards of {scenario_file}, starting together at {start_at}.\n\
         # kubectl apply -f THIS; kubectl wait --for=condition=complete job/{name} --timeout=1h;\n\
         # then collect and merge the shards (docs/distributed.md).\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {qn}\n  namespace: {ns}\n  labels:\n    {labels}\n\
         data:\n  scenario.toml: {body}\n---\n",
        scenario_file = args.scenario.display(),
        qn = q(name),
        ns = q(&args.namespace),
        body = q(scenario),
    );
    let _ = write!(
        y,
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {qn}\n  namespace: {ns}\n  labels:\n    {labels}\n\
         spec:\n  completionMode: Indexed\n  completions: {n}\n  parallelism: {n}\n  backoffLimit: 0\n\
         \x20 ttlSecondsAfterFinished: 86400\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: tailguard\n\
         \x20       tailguard.dev/run-id: {rid}\n    spec:\n      restartPolicy: Never\n\
         \x20     securityContext:\n        runAsNonRoot: true\n        runAsUser: 65532\n        runAsGroup: 65532\n\
         \x20     containers:\n        - name: tailguard\n          image: {image}\n          args: [{args}]\n\
         \x20         env:\n            - name: SHARD_INDEX\n              valueFrom:\n                fieldRef:\n\
         \x20                 fieldPath: \"metadata.annotations['batch.kubernetes.io/job-completion-index']\"\n\
         \x20           - name: TAILGUARD_SPOOL_DIR\n              value: \"/tmp/spool\"\n{env_from}\
         \x20         resources:\n            requests:\n              cpu: {cpu}\n              memory: {mem}\n\
         \x20           limits:\n              cpu: {cpu}\n              memory: {mem}\n\
         \x20         securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n\
         \x20           capabilities:\n              drop: [\"ALL\"]\n\
         \x20         volumeMounts:\n            - name: scenario\n              mountPath: /etc/tailguard\n              readOnly: true\n\
         \x20           - name: tmp\n              mountPath: /tmp\n\
         \x20     volumes:\n        - name: scenario\n          configMap:\n            name: {qn}\n\
         \x20       - name: tmp\n          emptyDir: {{}}\n",
        qn = q(name),
        ns = q(&args.namespace),
        rid = q(run_id),
        image = q(&args.image),
        args = run.iter().map(|a| q(a)).collect::<Vec<_>>().join(", "),
        cpu = q(&args.cpu),
        mem = q(&args.memory),
        env_from = args.store_secret.as_ref().map_or(String::new(), |s| format!(
            "          envFrom:\n            - secretRef:\n                name: {}\n",
            q(s)
        )),
    );
    y
}
