"""The Helm chart's values as pydantic models: the one definition of what `helm/clinserve` accepts.

Field types and single-field constraints are declared here, on the fields; cross-field rules are in
`deploy/rules.py`, run by the one `model_validator` of `Values`. `helm/clinserve/values.schema.json`
is generated from `Values` (`clinserve-deploy schema --write`; a test fails when it is stale), so
Helm rejects the same bad values at install/lint/template time that `Values.model_validate`
rejects here.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from pydantic.json_schema import GenerateJsonSchema

from deploy import rules
from deploy.constraints import (
    DNS1123_LABEL,
    GO_DURATION,
    KUBERAY_REJECTED_START_PARAMS,
    PROM_DURATION,
    Forbid,
    ForbidKeys,
    MustContain,
)
from serve_app.ingress.security import KeyEntry

Quantity = str | int | float


# strict: no coercion ("yes" is not a bool, 1 is not a string), so the model accepts exactly what
# the generated JSON Schema (and so Helm) accepts.
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, strict=True)


class ResourceList(BaseModel):
    """requests or limits: cpu and memory are required (policy), other resources allowed."""

    model_config = ConfigDict(extra="allow", strict=True)
    cpu: Quantity
    memory: Quantity


class Resources(_Model):
    requests: ResourceList
    limits: ResourceList


class Image(_Model):
    registry: str = Field(min_length=1)
    repository: str = Field(min_length=1)
    tag: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
            description="Pinned image tag; `latest` is rejected.",
        ),
        Forbid("latest", "image.tag must be pinned, not 'latest'"),
    ]
    digest: str = Field(pattern=r"^(sha256:[a-f0-9]{64})?$")
    pull_policy: Literal["Always", "IfNotPresent", "Never"]
    pull_secrets: list[str]


class Serve(_Model):
    config_file: Literal["files/serve_config.yaml", "files/serve_config.local.yaml"]
    overrides: Annotated[
        dict[str, Any],
        ForbidKeys(
            {"applications": "use serve.appArgs, model.* and serve.deployments, not overrides.applications"}
        ),
    ]
    app_args: dict[str, Any]
    deployments: dict[str, dict[str, Any]]


class Model(_Model):
    base_model: str
    served_model_name: str
    adapters: dict[str, str]
    default_adapter: str


class ModelCache(_Model):
    enabled: bool
    existing_claim: str
    mount_path: str = Field(pattern=r"^/.+")
    size: Quantity
    access_modes: list[Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]] = Field(
        min_length=1
    )
    storage_class_name: str
    empty_dir_size_limit: Quantity


class HFToken(_Model):
    existing_secret: str
    secret_key: str = Field(min_length=1)
    value: str
    optional: bool


class HuggingFace(_Model):
    token: HFToken


class Auth(_Model):
    enabled: bool
    existing_secret: str
    secret_key: str = Field(pattern=r"^[-._a-zA-Z0-9]+$")
    mount_path: str = Field(pattern=r"^/.+")
    keys: list[KeyEntry]  # the app's own key-file entry model: the chart writes these into the Secret


class ClusterUpgradeOptions(_Model):
    gateway_class_name: str | None = None
    step_size_percent: int | None = Field(default=None, ge=0, le=100)
    interval_seconds: int | None = Field(default=None, ge=1)
    max_surge_percent: int | None = Field(default=None, ge=0, le=100)


class UpgradeStrategy(_Model):
    type: Literal["NewCluster", "NewClusterWithIncrementalUpgrade", "None"]
    cluster_upgrade_options: ClusterUpgradeOptions


class RayService(_Model):
    initializing_timeout: str = Field(pattern=GO_DURATION)
    upgrade_strategy: UpgradeStrategy
    ray_cluster_deletion_delay_seconds: int = Field(ge=0)
    exclude_head_pod_from_serve_svc: bool
    annotations: dict[str, str]


class Autoscaler(_Model):
    version: Literal["v1", "v2"]
    idle_timeout_seconds: int = Field(ge=0)
    upscaling_mode: Literal["Default", "Aggressive", "Conservative"]
    resources: Resources


class _PodPlacement(_Model):
    ray_start_params: Annotated[dict[str, str], ForbidKeys(KUBERAY_REJECTED_START_PARAMS)]
    resources: Resources
    shm_size: Quantity
    node_selector: dict[str, str]
    tolerations: list[dict[str, Any]]
    affinity: dict[str, Any]
    pod_labels: dict[str, str]
    pod_annotations: dict[str, str]
    extra_env: list[dict[str, Any]]
    termination_grace_period_seconds: int = Field(ge=0)


class Head(_PodPlacement):
    pass


class WorkerGroup(_PodPlacement):
    group_name: str = Field(pattern=DNS1123_LABEL, max_length=63)
    replicas: int = Field(ge=0)
    min_replicas: int = Field(ge=0)
    max_replicas: int = Field(ge=1)
    idle_timeout_seconds: int = Field(ge=0)


class GPUWorkerGroup(WorkerGroup):
    enabled: bool
    gpus_per_pod: int = Field(ge=1)


class RayCluster(_Model):
    ray_version: str = Field(pattern=r"^2\.[0-9]+\.[0-9]+$")
    enable_in_tree_autoscaling: bool
    autoscaler: Autoscaler
    head: Head
    cpu_workers: WorkerGroup
    gpu_workers: GPUWorkerGroup


class SeccompProfile(_Model):
    type: Literal["RuntimeDefault", "Localhost"]
    localhost_profile: str | None = None


class PodSecurityContext(BaseModel):
    """Pod securityContext; the fields that make the PHI service non-root are fixed."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True, strict=True)
    run_as_non_root: Literal[True]
    run_as_user: int = Field(ge=1)
    seccomp_profile: SeccompProfile


class Capabilities(_Model):
    drop: Annotated[list[str], MustContain("ALL", "capabilities.drop must contain ALL")]
    add: list[str] = Field(default_factory=list, max_length=0)


class ContainerSecurityContext(BaseModel):
    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True, strict=True)
    run_as_non_root: Literal[True]
    allow_privilege_escalation: Literal[False]
    read_only_root_filesystem: bool
    capabilities: Capabilities
    seccomp_profile: SeccompProfile
    privileged: Literal[False] = False


class ServiceAccount(_Model):
    create: bool
    name: str
    automount_service_account_token: bool


class StartupProbe(_Model):
    enabled: bool
    period_seconds: int = Field(ge=1)
    failure_threshold: int = Field(ge=1)


class Probes(_Model):
    startup: StartupProbe


class HTTPSEgress(_Model):
    enabled: bool
    ports: list[int] = Field(min_length=1)
    to: list[dict[str, Any]]


class NetworkPolicy(_Model):
    enabled: bool
    serve_port_from: list[dict[str, Any]]
    operator_from: list[dict[str, Any]]
    metrics_from: list[dict[str, Any]]
    dns_to: list[dict[str, Any]]
    https: HTTPSEgress
    extra_ingress: list[dict[str, Any]]
    extra_egress: list[dict[str, Any]]


class PodDisruptionBudget(_Model):
    enabled: bool
    max_unavailable: int | str
    head: bool


# -- monitoring: what helm/clinserve/templates/monitoring/* read from .Values.monitoring -------------

PromDuration = Annotated[str, Field(pattern=PROM_DURATION, min_length=1)]
RelabelAction = Literal[
    "replace", "Replace", "keep", "Keep", "drop", "Drop", "hashmod", "HashMod", "labelmap", "LabelMap",
    "labeldrop", "LabelDrop", "labelkeep", "LabelKeep", "lowercase", "Lowercase", "uppercase", "Uppercase",
    "keepequal", "KeepEqual", "dropequal", "DropEqual",
]  # fmt: skip


class RelabelConfig(_Model):
    """One metricRelabelings item (Prometheus Operator RelabelConfig, monitoring.coreos.com/v1)."""

    source_labels: list[str] | None = None
    separator: str | None = None
    target_label: str | None = None
    regex: str | None = None
    modulus: int | None = Field(default=None, ge=0)
    replacement: str | None = None
    action: RelabelAction | None = None


class Switch(_Model):
    enabled: bool


class Dashboards(_Model):
    enabled: bool
    namespace: str = Field(pattern=f"^$|{DNS1123_LABEL}", max_length=63, description="empty: the release's")
    annotations: dict[str, str]


class Monitoring(_Model):
    enabled: bool
    labels: dict[str, str]
    interval: PromDuration
    scrape_timeout: PromDuration
    metric_relabelings: list[RelabelConfig]
    pod_monitor: Switch
    service_monitor: Switch
    prometheus_rule: Switch
    dashboards: Dashboards


# -- batch: the RayJob of helm/clinserve/templates/rayjob.yaml (serve_app.batch on its own cluster) ---

# A storage URI or path the job's entrypoint quotes in single quotes: no whitespace, quotes, $ or `.
BatchURI = Annotated[str, Field(pattern=r"^[^\s'\"`$\\]*$")]
BatchArg = Annotated[str, Field(pattern=r"^[^\s'\"`$\\]+$")]


class BatchHead(_Model):
    ray_start_params: Annotated[dict[str, str], ForbidKeys(KUBERAY_REJECTED_START_PARAMS)]
    resources: Resources
    shm_size: Quantity


class BatchWorkers(_Model):
    """A fixed-size worker group of the batch cluster (a job's cluster does not autoscale)."""

    group_name: str = Field(pattern=DNS1123_LABEL, max_length=63)
    replicas: int = Field(ge=1)
    ray_start_params: Annotated[dict[str, str], ForbidKeys(KUBERAY_REJECTED_START_PARAMS)]
    resources: Resources
    shm_size: Quantity
    node_selector: dict[str, str]
    tolerations: list[dict[str, Any]]


class BatchGPUWorkers(BatchWorkers):
    gpus_per_pod: int = Field(ge=1)


DNS1123_SUBDOMAIN_OR_EMPTY = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$"


class BatchCredentials(_Model):
    existing_secret: str = Field(pattern=DNS1123_SUBDOMAIN_OR_EMPTY, max_length=253)
    mount_path: str = Field(pattern=r"^$|^/.+")


class BatchSubmitter(_Model):
    resources: Resources


class FeedbackDatabase(_Model):
    existing_secret: str = Field(pattern=DNS1123_SUBDOMAIN_OR_EMPTY, max_length=253)
    secret_key: str = Field(pattern=r"^[-._a-zA-Z0-9]+$")


class Feedback(_Model):
    enabled: bool
    database: FeedbackDatabase


class Batch(_Model):
    enabled: bool
    input: BatchURI
    output: BatchURI
    input_format: Literal["auto", "jsonl", "csv", "parquet"]
    output_format: Literal["parquet", "jsonl", "both"]
    id_column: BatchArg
    text_column: BatchArg
    adapter: BatchURI
    limit: int = Field(ge=0)
    batch_size: int = Field(ge=0)
    scrub_concurrency: int = Field(ge=1)
    extra_args: list[BatchArg]
    shutdown_after_job_finishes: bool
    ttl_seconds_after_finished: int = Field(ge=0)
    active_deadline_seconds: int = Field(ge=0)
    annotations: dict[str, str]
    credentials: BatchCredentials
    head: BatchHead
    cpu_workers: BatchWorkers
    gpu_workers: BatchGPUWorkers
    submitter: BatchSubmitter


class Values(_Model):
    """Everything `helm/clinserve/values.yaml` may contain."""

    model_config = ConfigDict(title="clinserve chart values", json_schema_extra=rules.json_schema_extra)
    name_override: str
    fullname_override: str
    common_labels: dict[str, str]
    common_annotations: dict[str, str]
    image: Image
    serve: Serve
    model: Model
    model_cache: ModelCache
    huggingface: HuggingFace
    auth: Auth
    ray_service: RayService
    ray_cluster: RayCluster
    pod_security_context: PodSecurityContext
    container_security_context: ContainerSecurityContext
    service_account: ServiceAccount
    probes: Probes
    network_policy: NetworkPolicy
    pod_disruption_budget: PodDisruptionBudget
    monitoring: Monitoring
    feedback: Feedback
    batch: Batch

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Values:
        problems = rules.check(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class _NoTitles(GenerateJsonSchema):
    """Schema without pydantic's auto titles: smaller, and Helm prints descriptions, not titles."""

    def field_title_should_be_set(self, schema: Any) -> bool:  # pragma: no cover - pydantic hook
        return False

    def generate(self, schema: Any, mode: Any = "validation") -> dict[str, Any]:
        out = super().generate(schema, mode=mode)
        for definition in out.get("$defs", {}).values():
            definition.pop("title", None)
        return out


def json_schema() -> dict[str, Any]:
    schema = Values.model_json_schema(by_alias=True, schema_generator=_NoTitles)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
