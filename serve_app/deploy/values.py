"""The Helm chart's values as pydantic models: the one definition of what `helm/clinserve` accepts.

`helm/clinserve/values.schema.json` is generated from `Values` (`python -m serve_app.deploy schema
--write`; a test fails when it is stale), so Helm rejects the same bad values at install/lint time
that `Values.model_validate` rejects here. Cross-field rules JSON Schema cannot state (min <=
replicas <= max) are checked here and by `fail` in the templates.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic.json_schema import GenerateJsonSchema

Quantity = str | int | float
# Go duration ("45m", "1h30m") or positive integer seconds, as KubeRay parses ray.io/initializing-timeout.
DURATION_PATTERN = r"^([1-9][0-9]*|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class ResourceList(BaseModel):
    """requests or limits: cpu and memory are required (policy), other resources allowed."""

    model_config = ConfigDict(extra="allow")
    cpu: Quantity
    memory: Quantity


class Resources(_Model):
    requests: ResourceList
    limits: ResourceList


class Image(_Model):
    registry: str = Field(min_length=1)
    repository: str = Field(min_length=1)
    tag: str = Field(
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        json_schema_extra={"not": {"const": "latest"}},
        description="Pinned image tag; `latest` is rejected.",
    )
    digest: str = Field(pattern=r"^(sha256:[a-f0-9]{64})?$")
    pull_policy: Literal["Always", "IfNotPresent", "Never"]
    pull_secrets: list[str]

    @field_validator("tag")
    @classmethod
    def _pinned(cls, value: str) -> str:
        if value == "latest":
            raise ValueError("image.tag must be pinned, not 'latest'")
        return value


class Serve(_Model):
    config_file: Literal["files/serve_config.yaml", "files/serve_config.local.yaml"]
    overrides: dict[str, Any]
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


class ApiKey(BaseModel):
    """One entry of the key file (serve_app.security.KeyEntry): exactly one of sha256 or key."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["sha256"]}, {"required": ["key"]}]},
    )
    id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    key: str | None = Field(default=None, min_length=16)
    revoked: bool = False

    @model_validator(mode="after")
    def _one_secret(self) -> ApiKey:
        if (self.sha256 is None) == (self.key is None):
            raise ValueError("each auth.keys entry needs exactly one of 'sha256' or 'key'")
        return self


class Auth(_Model):
    enabled: bool
    existing_secret: str
    secret_key: str = Field(pattern=r"^[-._a-zA-Z0-9]+$")
    mount_path: str = Field(pattern=r"^/.+")
    keys: list[ApiKey]


class ClusterUpgradeOptions(_Model):
    gateway_class_name: str | None = None
    step_size_percent: int | None = Field(default=None, ge=0, le=100)
    interval_seconds: int | None = Field(default=None, ge=1)
    max_surge_percent: int | None = Field(default=None, ge=0, le=100)


INCREMENTAL = "NewClusterWithIncrementalUpgrade"


class UpgradeStrategy(_Model):
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"type": {"const": INCREMENTAL}}},
            "then": {
                "properties": {
                    "clusterUpgradeOptions": {
                        "required": ["gatewayClassName", "stepSizePercent", "intervalSeconds"]
                    }
                }
            },
        }
    )
    type: Literal["NewCluster", "NewClusterWithIncrementalUpgrade", "None"]
    cluster_upgrade_options: ClusterUpgradeOptions

    @model_validator(mode="after")
    def _incremental_needs_options(self) -> UpgradeStrategy:
        opts = self.cluster_upgrade_options
        if self.type == INCREMENTAL and None in (
            opts.gateway_class_name,
            opts.step_size_percent,
            opts.interval_seconds,
        ):
            needed = "gatewayClassName, stepSizePercent, intervalSeconds"
            raise ValueError(f"{INCREMENTAL} needs clusterUpgradeOptions: {needed}")
        return self


class RayService(_Model):
    initializing_timeout: str = Field(pattern=DURATION_PATTERN)
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
    ray_start_params: dict[str, str]
    resources: Resources
    shm_size: Quantity
    node_selector: dict[str, str]
    tolerations: list[dict[str, Any]]
    affinity: dict[str, Any]
    pod_labels: dict[str, str]
    pod_annotations: dict[str, str]
    extra_env: list[dict[str, Any]]
    termination_grace_period_seconds: int = Field(ge=0)

    @field_validator("ray_start_params")
    @classmethod
    def _no_labels_param(cls, value: dict[str, str]) -> dict[str, str]:
        if "labels" in value:
            raise ValueError("rayStartParams['labels'] is rejected by KubeRay; use the group's labels field")
        return value


class Head(_PodPlacement):
    pass


class WorkerGroup(_PodPlacement):
    group_name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)
    replicas: int = Field(ge=0)
    min_replicas: int = Field(ge=0)
    max_replicas: int = Field(ge=1)
    idle_timeout_seconds: int = Field(ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> WorkerGroup:
        if not self.min_replicas <= self.replicas <= self.max_replicas:
            raise ValueError(
                f"worker group {self.group_name}: need minReplicas <= replicas <= maxReplicas, got "
                f"{self.min_replicas} <= {self.replicas} <= {self.max_replicas}"
            )
        return self


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

    @model_validator(mode="after")
    def _distinct_groups(self) -> RayCluster:
        if self.gpu_workers.enabled and self.gpu_workers.group_name == self.cpu_workers.group_name:
            raise ValueError("cpuWorkers and gpuWorkers need different groupName values")
        return self


class SeccompProfile(_Model):
    type: Literal["RuntimeDefault", "Localhost"]
    localhost_profile: str | None = None


class PodSecurityContext(BaseModel):
    """Pod securityContext; the fields that make the PHI service non-root are fixed."""

    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True)
    run_as_non_root: Literal[True]
    run_as_user: int = Field(ge=1)
    seccomp_profile: SeccompProfile


class Capabilities(_Model):
    drop: list[str] = Field(json_schema_extra={"contains": {"const": "ALL"}})
    add: list[str] = Field(default_factory=list, max_length=0)

    @field_validator("drop")
    @classmethod
    def _drop_all(cls, value: list[str]) -> list[str]:
        if "ALL" not in value:
            raise ValueError("capabilities.drop must contain ALL")
        return value


class ContainerSecurityContext(BaseModel):
    model_config = ConfigDict(extra="allow", alias_generator=to_camel, populate_by_name=True)
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


class Monitoring(BaseModel):
    """Reserved for the monitoring issue (PodMonitor, PrometheusRule, dashboards)."""

    model_config = ConfigDict(extra="allow")
    enabled: bool


class Values(_Model):
    """Everything `helm/clinserve/values.yaml` may contain."""

    model_config = ConfigDict(title="clinserve chart values")
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

    @model_validator(mode="after")
    def _incremental_needs_autoscaling(self) -> Values:
        if (
            self.ray_service.upgrade_strategy.type == INCREMENTAL
            and not self.ray_cluster.enable_in_tree_autoscaling
        ):
            raise ValueError(f"{INCREMENTAL} needs rayCluster.enableInTreeAutoscaling")
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
