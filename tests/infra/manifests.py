"""Reading infra/: the compose file, the .env example and the Kubernetes manifests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

INFRA = Path(__file__).resolve().parents[2] / "infra"
K8S = INFRA / "k8s"
Resource = dict[str, Any]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def kustomized_files() -> list[Path]:
    kustomization = load_yaml(K8S / "kustomization.yaml")
    return [K8S / name for name in kustomization["resources"]]


def resources() -> list[Resource]:
    return [
        document
        for path in kustomized_files()
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]


def of_kind(kind: str) -> list[Resource]:
    return [r for r in resources() if r["kind"] == kind]


def named(kind: str, name: str) -> Resource:
    (found,) = [r for r in of_kind(kind) if r["metadata"]["name"] == name]
    return found


def pod_specs() -> Iterator[tuple[str, Resource]]:
    """Every workload's pod spec, by workload name."""
    for resource in resources():
        if resource["kind"] in ("Deployment", "Job"):
            yield resource["metadata"]["name"], resource["spec"]["template"]["spec"]


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values
