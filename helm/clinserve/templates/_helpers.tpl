{{/*
Names, labels and shared pod-template pieces (Bitnami-style helpers).
*/}}

{{- define "clinserve.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name; the RayService name has the stricter KubeRay limit, see clinserve.rayServiceName. */}}
{{- define "clinserve.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* KubeRay: RayService names are DNS-1035 labels of at most 47 characters. */}}
{{- define "clinserve.rayServiceName" -}}
{{- include "clinserve.fullname" . | trunc 47 | trimSuffix "-" -}}
{{- end -}}

{{/* The Service KubeRay creates for Serve traffic. */}}
{{- define "clinserve.serveServiceName" -}}
{{- printf "%s-serve-svc" (include "clinserve.rayServiceName" .) -}}
{{- end -}}

{{- define "clinserve.namespace" -}}
{{- .Release.Namespace -}}
{{- end -}}

{{- define "clinserve.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "clinserve.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clinserve.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Pod-template labels: no chart or app version on purpose. Any change to rayClusterConfig makes KubeRay
build a new cluster (zero-downtime upgrade, 2x GPUs), so a chart bump alone must not change it.
*/}}
{{- define "clinserve.podLabels" -}}
{{ include "clinserve.selectorLabels" . }}
app.kubernetes.io/part-of: clinserve
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "clinserve.labels" -}}
helm.sh/chart: {{ include "clinserve.chart" . }}
{{ include "clinserve.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: clinserve
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* metadata.annotations block body for commonAnnotations merged with extra ones (dict). */}}
{{- define "clinserve.annotations" -}}
{{- $all := merge (deepCopy (default dict .extra)) (deepCopy (default dict .context.Values.commonAnnotations)) -}}
{{- if $all -}}
annotations:
  {{- toYaml $all | nindent 2 }}
{{- end -}}
{{- end -}}

{{- define "clinserve.image" -}}
{{- $img := .Values.image -}}
{{- $ref := printf "%s/%s:%s" $img.registry $img.repository (toString $img.tag) -}}
{{- if $img.digest -}}
{{- $ref = printf "%s@%s" $ref $img.digest -}}
{{- end -}}
{{- $ref -}}
{{- end -}}

{{- define "clinserve.workerServiceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "clinserve.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "clinserve.hfTokenSecretName" -}}
{{- default (printf "%s-hf-token" (include "clinserve.fullname" .) | trunc 63 | trimSuffix "-") .Values.huggingface.token.existingSecret -}}
{{- end -}}

{{- define "clinserve.apiKeysSecretName" -}}
{{- default (printf "%s-api-keys" (include "clinserve.fullname" .) | trunc 63 | trimSuffix "-") .Values.auth.existingSecret -}}
{{- end -}}

{{- define "clinserve.modelCacheClaimName" -}}
{{- default (printf "%s-model-cache" (include "clinserve.fullname" .) | trunc 63 | trimSuffix "-") .Values.modelCache.existingClaim -}}
{{- end -}}

{{/* Name of the worker group that hosts the LLM replicas: the GPU group, or the CPU group without one. */}}
{{- define "clinserve.llmGroup" -}}
{{- if .Values.rayCluster.gpuWorkers.enabled -}}gpu{{- else -}}cpu{{- end -}}
{{- end -}}

{{/*
serveConfigV2: the Serve config file embedded verbatim, or, when anything must change, a parsed copy
with the overrides deep-merged (serve.overrides at the top, model.* and serve.appArgs into each
application's args, serve.deployments.<name> into that deployment; auth.* sets args.security
auth_enabled and api_keys_file so they match the mounted Secret).
*/}}
{{- define "clinserve.serveConfig" -}}
{{- $raw := .Files.Get .Values.serve.configFile -}}
{{- if not $raw -}}
{{- fail (printf "serve.configFile %q is missing from the chart (values.schema.json lists the allowed files)" .Values.serve.configFile) -}}
{{- end -}}
{{- $m := .Values.model -}}
{{- $llm := dict -}}
{{- if $m.baseModel }}{{- $_ := set $llm "base_model" $m.baseModel -}}{{- end -}}
{{- if $m.servedModelName }}{{- $_ := set $llm "served_model_name" $m.servedModelName -}}{{- end -}}
{{- if $m.defaultAdapter }}{{- $_ := set $llm "default_adapter" $m.defaultAdapter -}}{{- end -}}
{{- $changed := dict "any" (or .Values.serve.overrides .Values.serve.appArgs .Values.serve.deployments $llm $m.adapters) -}}
{{- $keysFile := printf "%s/%s" (trimSuffix "/" .Values.auth.mountPath) .Values.auth.secretKey -}}
{{- $cfg := fromYaml $raw -}}
{{- if hasKey $cfg "Error" -}}
{{- fail (printf "%s is not valid YAML: %s" .Values.serve.configFile (get $cfg "Error")) -}}
{{- end -}}
{{- if not $cfg.applications -}}
{{- fail (printf "%s has no applications" .Values.serve.configFile) -}}
{{- end -}}
{{- $cacheRoot := trimSuffix "/" .Values.modelCache.mountPath -}}
{{- $known := dict -}}
{{- $apps := list -}}
{{- range $app := $cfg.applications -}}
{{- $args := mergeOverwrite (deepCopy (default dict $app.args)) (deepCopy $.Values.serve.appArgs) -}}
{{- $appLLM := mergeOverwrite (deepCopy (default dict $args.llm)) (deepCopy $llm) -}}
{{- if $m.adapters -}}
{{- $_ := set $appLLM "adapters" (deepCopy $m.adapters) -}}
{{- end -}}
{{- with $appLLM.download_dir -}}
{{- if not (hasPrefix (printf "%s/" $cacheRoot) (toString .)) -}}
{{- fail (printf "llm.download_dir %q is not under modelCache.mountPath %q: the model would not be cached on the volume" (toString .) $cacheRoot) -}}
{{- end -}}
{{- end -}}
{{- if $appLLM -}}
{{- $_ := set $args "llm" $appLLM -}}
{{- end -}}
{{- /* auth.* decides the app's security settings, so the mounted Secret and the config agree. */ -}}
{{- $sec := deepCopy (default dict $args.security) -}}
{{- if ne (toString (dig "auth_enabled" true $sec)) (toString $.Values.auth.enabled) -}}
{{- $_ := set $sec "auth_enabled" $.Values.auth.enabled -}}
{{- $_ := set $changed "any" true -}}
{{- end -}}
{{- if and $.Values.auth.enabled (ne (toString (dig "api_keys_file" "" $sec)) $keysFile) -}}
{{- $_ := set $sec "api_keys_file" $keysFile -}}
{{- $_ := set $changed "any" true -}}
{{- end -}}
{{- $_ := set $args "security" $sec -}}
{{- /* feedback.enabled decides the app's feedback switch, so the Secret's env var and the config agree. */ -}}
{{- $fb := deepCopy (default dict $args.feedback) -}}
{{- if ne (toString (dig "enabled" true $fb)) (toString $.Values.feedback.enabled) -}}
{{- $_ := set $fb "enabled" $.Values.feedback.enabled -}}
{{- $_ := set $changed "any" true -}}
{{- end -}}
{{- $_ := set $args "feedback" $fb -}}
{{- if $args -}}
{{- $_ := set $app "args" $args -}}
{{- end -}}
{{- $deps := list -}}
{{- range $d := (default list $app.deployments) -}}
{{- $_ := set $known $d.name true -}}
{{- $ov := get $.Values.serve.deployments $d.name -}}
{{- if $ov -}}
{{- $d = mergeOverwrite (deepCopy $d) (deepCopy $ov) -}}
{{- end -}}
{{- $deps = append $deps $d -}}
{{- end -}}
{{- $_ := set $app "deployments" $deps -}}
{{- $apps = append $apps $app -}}
{{- end -}}
{{- range $name, $_ := .Values.serve.deployments -}}
{{- if not (hasKey $known $name) -}}
{{- fail (printf "serve.deployments.%s: no deployment of that name in %s (known: %s)" $name $.Values.serve.configFile (keys $known | sortAlpha | join ", ")) -}}
{{- end -}}
{{- end -}}
{{- if get $changed "any" -}}
{{- $cfg = mergeOverwrite $cfg (deepCopy .Values.serve.overrides) -}}
{{- $_ := set $cfg "applications" $apps -}}
{{- toYaml $cfg -}}
{{- else -}}
{{- $raw -}}
{{- end -}}
{{- end -}}

{{/* Env shared by every Ray container. */}}
{{- define "clinserve.commonEnv" -}}
- name: HF_HOME
  value: {{ .Values.modelCache.mountPath | quote }}
{{/* The Ray process environment of serve_app/ray_env.py (a test keeps the two equal). Serve's HTTP
proxy drops unsafe client X-Request-IDs (PHI must not become a log key) and answers in the JSON
envelope; user code and handle routers run on each replica's event loop; handles use gRPC. */}}
- name: RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH
  value: "serve_app.proxy.middleware:proxy_middlewares"
- name: RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD
  value: "0"
- name: RAY_SERVE_RUN_ROUTER_IN_SEPARATE_LOOP
  value: "0"
- name: RAY_SERVE_USE_GRPC_BY_DEFAULT
  value: "1"
{{- if .Values.feedback.enabled }}
{{/* The feedback database URL (it holds a password): from its Secret, read by the ingress. */}}
- name: CLINSERVE_FEEDBACK_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.feedback.database.existingSecret }}
      key: {{ .Values.feedback.database.secretKey }}
{{- end }}
{{- end -}}

{{/* Env of the group that hosts the LLM: the Hugging Face token from its Secret. */}}
{{- define "clinserve.llmEnv" -}}
- name: HF_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "clinserve.hfTokenSecretName" . }}
      key: {{ .Values.huggingface.token.secretKey }}
      optional: {{ .Values.huggingface.token.optional }}
{{- end -}}

{{/* Volume mounts: dict with context and llm (bool: this group hosts the LLM replicas). */}}
{{- define "clinserve.volumeMounts" -}}
- name: shared-mem
  mountPath: /dev/shm
{{- if .context.Values.auth.enabled }}
- name: api-keys
  mountPath: {{ .context.Values.auth.mountPath }}
  readOnly: true
{{- end }}
{{- if .llm }}
- name: model-cache
  mountPath: {{ .context.Values.modelCache.mountPath }}
{{- end }}
{{- end -}}

{{- define "clinserve.volumes" -}}
- name: shared-mem
  emptyDir:
    medium: Memory
    sizeLimit: {{ .shm }}
{{- if .context.Values.auth.enabled }}
- name: api-keys
  secret:
    secretName: {{ include "clinserve.apiKeysSecretName" .context }}
    defaultMode: 0440
    items:
      - key: {{ .context.Values.auth.secretKey }}
        path: {{ .context.Values.auth.secretKey }}
{{- end }}
{{- if .llm }}
- name: model-cache
{{- if .context.Values.modelCache.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "clinserve.modelCacheClaimName" .context }}
{{- else }}
  emptyDir:
    sizeLimit: {{ .context.Values.modelCache.emptyDirSizeLimit }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Startup probe on the dashboard agent (same endpoint KubeRay's injected liveness probe uses). */}}
{{- define "clinserve.startupProbe" -}}
{{- if .context.Values.probes.startup.enabled -}}
startupProbe:
  httpGet:
    path: /api/healthz
    port: {{ int (default "52365" (get .params "dashboard-agent-listen-port")) }}
  periodSeconds: {{ .context.Values.probes.startup.periodSeconds }}
  failureThreshold: {{ .context.Values.probes.startup.failureThreshold }}
  timeoutSeconds: 5
{{- end -}}
{{- end -}}

{{- define "clinserve.preStop" -}}
lifecycle:
  preStop:
    exec:
      command: ["/bin/sh", "-c", "ray stop"]
{{- end -}}

{{- define "clinserve.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
Guards for `helm install/template` without clinserve-deploy, for the cross-field rules JSON Schema
cannot state. The rules are defined once, in deploy/rules.py; values.schema.json lists each under
"x-clinserve-rules" with its text, and each guard below only cites the rule id (tests/k8s check
that every cited id exists there). Rules JSON Schema can state are in the schema's allOf instead.
*/}}
{{- define "clinserve.validate" -}}
{{- $rc := .Values.rayCluster -}}
{{- $groups := dict "cpuWorkers" $rc.cpuWorkers -}}
{{- if $rc.gpuWorkers.enabled -}}
{{- $_ := set $groups "gpuWorkers" $rc.gpuWorkers -}}
{{- if eq $rc.gpuWorkers.groupName $rc.cpuWorkers.groupName -}}
{{- fail (printf "rayCluster breaks rule distinct-worker-groups of values.schema.json x-clinserve-rules: both groupName %q" $rc.cpuWorkers.groupName) -}}
{{- end -}}
{{- end -}}
{{- range $key, $g := $groups -}}
{{- if or (gt (int $g.minReplicas) (int $g.replicas)) (gt (int $g.replicas) (int $g.maxReplicas)) -}}
{{- fail (printf "rayCluster.%s breaks rule worker-replica-bounds of values.schema.json x-clinserve-rules: minReplicas %v, replicas %v, maxReplicas %v" $key $g.minReplicas $g.replicas $g.maxReplicas) -}}
{{- end -}}
{{- end -}}
{{- end -}}
