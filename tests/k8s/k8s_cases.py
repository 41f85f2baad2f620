"""Edge values shared by the chart, schema and policy tests."""

from __future__ import annotations

from typing import Any

# Values that exercise the optional branches of every template.
EDGE_VALUES: dict[str, dict[str, Any]] = {
    "everything-off": {
        "auth": {"enabled": False},
        "networkPolicy": {"enabled": False},
        "podDisruptionBudget": {"enabled": False},
        "serviceAccount": {"create": False},
        "probes": {"startup": {"enabled": False}},
        "modelCache": {"enabled": False},
        "rayCluster": {"enableInTreeAutoscaling": False},
    },
    "everything-on": {
        "commonLabels": {"team": "ml-platform"},
        "commonAnnotations": {"owner": "platform@example.org"},
        "image": {"digest": "sha256:" + "a" * 64, "pullSecrets": ["regcred"], "pullPolicy": "Always"},
        "huggingface": {"token": {"value": "hf_dummy", "secretKey": "token"}},
        "auth": {
            "keys": [
                {"id": "ehr-gateway", "sha256": "0" * 64},
                {"id": "batch", "key": "k" * 24, "revoked": True},
            ]
        },
        "podDisruptionBudget": {"head": True},
        "networkPolicy": {
            "metricsFrom": [
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
            ],
            "https": {"to": [{"ipBlock": {"cidr": "10.96.0.1/32"}}]},
            "extraIngress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"port": 8000}]}],
            "extraEgress": [{"to": [{"ipBlock": {"cidr": "10.1.0.0/16"}}], "ports": [{"port": 3128}]}],
        },
        "rayCluster": {
            "head": {
                "podLabels": {"tier": "control"},
                "podAnnotations": {"a": "b"},
                "extraEnv": [{"name": "RAY_LOG_TO_STDERR", "value": "1"}],
                "nodeSelector": {"pool": "system"},
                "tolerations": [
                    {"key": "dedicated", "operator": "Equal", "value": "ray", "effect": "NoSchedule"}
                ],
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {"key": "pool", "operator": "In", "values": ["system"]}
                                    ]
                                }
                            ]
                        }
                    }
                },
            },
            "gpuWorkers": {
                "gpusPerPod": 2,
                "rayStartParams": {"num-cpus": "8", "metrics-export-port": "8080"},
            },
        },
        "modelCache": {"existingClaim": "shared-models", "accessModes": ["ReadOnlyMany"]},
        "monitoring": {"enabled": True},
    },
    "incremental-upgrade": {
        "rayService": {
            "upgradeStrategy": {
                "type": "NewClusterWithIncrementalUpgrade",
                "clusterUpgradeOptions": {
                    "gatewayClassName": "istio",
                    "stepSizePercent": 25,
                    "intervalSeconds": 60,
                    "maxSurgePercent": 50,
                },
            }
        }
    },
    "long-names": {"fullnameOverride": "clinserve-" + "x" * 55},
    "overrides": {
        "model": {
            "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
            "adapters": {"medical-ie-v2": "loghoag/llama-3.1-8b-medical-ie"},
            "defaultAdapter": "medical-ie-v2",
        },
        "serve": {
            "appArgs": {"ingress": {"llm_timeout_s": 90}},
            "deployments": {"LLM": {"autoscaling_config": {"min_replicas": 2, "max_replicas": 4}}},
            "overrides": {"http_options": {"request_timeout_s": 120}},
        },
        "rayCluster": {"gpuWorkers": {"replicas": 2, "minReplicas": 2}},
    },
}
EDGE_CASES = [("gpu", name) for name in EDGE_VALUES] + [("cpu", "everything-off"), ("cpu", "everything-on")]
