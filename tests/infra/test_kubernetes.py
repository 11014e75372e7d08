"""infra/k8s: valid for a pinned Kubernetes (offline: kubernetes-validate bundles the
schemas), and what a platform team expects of each workload."""

from __future__ import annotations

import kubernetes_validate
import pytest

from tests.infra.manifests import Resource, named, of_kind, pod_specs, resources

KUBERNETES = "1.33.0"


@pytest.mark.parametrize(
    "resource", resources(), ids=lambda r: f"{r['kind']}/{r['metadata']['name']}"
)
def test_the_resource_is_valid_for_the_pinned_kubernetes(resource: Resource) -> None:
    # strict: a misspelt or misplaced field is an error, not silently ignored.
    kubernetes_validate.validate(resource, KUBERNETES, strict=True)


def test_a_wrong_field_is_found() -> None:
    broken = named("Deployment", "adr-registry-beat")
    broken = {**broken, "spec": {**broken["spec"], "replica": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_the_api_is_a_service_scaled_by_cpu_and_kept_up_during_disruptions() -> None:
    api = named("Deployment", "adr-registry-api")
    labels = api["spec"]["selector"]["matchLabels"]
    assert named("Service", "adr-registry-api")["spec"]["selector"] == labels
    assert named("PodDisruptionBudget", "adr-registry-api")["spec"]["selector"] == {
        "matchLabels": labels
    }
    target = named("HorizontalPodAutoscaler", "adr-registry-api")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "adr-registry-api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # It waits for the migration job's schema and never migrates itself.
    assert container["args"][0] == "serve"
    assert "--no-migrate" in container["args"]


def test_there_is_exactly_one_beat_and_a_new_one_starts_after_the_old_one_stopped() -> None:
    beat = named("Deployment", "adr-registry-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    targets = [r["spec"]["scaleTargetRef"]["name"] for r in of_kind("HorizontalPodAutoscaler")]
    assert "adr-registry-beat" not in targets


def test_the_migration_is_a_job() -> None:
    job = named("Job", "adr-registry-migrate")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")


def test_the_worker_and_the_beat_are_probed_on_their_heartbeat_files() -> None:
    for name, heartbeat in (("worker", "/data/worker-heartbeat"), ("beat", "/data/beat-heartbeat")):
        (container,) = named("Deployment", f"adr-registry-{name}")["spec"]["template"]["spec"][
            "containers"
        ]
        assert heartbeat in " ".join(container["livenessProbe"]["exec"]["command"]), name
    config = named("ConfigMap", "adr-registry-config")["data"]
    assert config["ADR_REGISTRY_WORKER_HEARTBEAT_FILE"] == "/data/worker-heartbeat"
    assert config["ADR_REGISTRY_DATA_DIR"] == "/data"


@pytest.mark.parametrize("workload", [name for name, _ in pod_specs()])
def test_every_container_is_limited_and_unprivileged_and_long_runners_are_probed(
    workload: str,
) -> None:
    spec = dict(pod_specs())[workload]
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    is_job = workload in {job["metadata"]["name"] for job in of_kind("Job")}
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"] == {"drop": ["ALL"]}
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"])
        assert "memory" in resources["limits"]
        # Read-only root: the writable places are mounted (/data for ours, /tmp).
        assert {m["mountPath"] for m in container["volumeMounts"]} == {"/data", "/tmp"}
        if not is_job:
            assert "livenessProbe" in container
            assert "readinessProbe" in container
    if not is_job:
        assert spec["terminationGracePeriodSeconds"] >= 30


def test_the_api_drains_before_it_is_killed() -> None:
    spec = named("Deployment", "adr-registry-api")["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    drain = int(
        named("ConfigMap", "adr-registry-config")["data"]["ADR_REGISTRY_SHUTDOWN_TIMEOUT_SECONDS"]
    )
    assert spec["terminationGracePeriodSeconds"] > pause + drain
