{{/*
Chart name, truncated to 63 characters (a DNS label).
*/}}
{{- define "quorum.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: the release name, with the chart name appended unless the release
name already contains it ("quorum" -> "quorum", "prod" -> "prod-quorum").
*/}}
{{- define "quorum.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "quorum.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object of the release.
*/}}
{{- define "quorum.labels" -}}
helm.sh/chart: {{ include "quorum.chart" . }}
{{ include "quorum.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: quorum
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels selecting the operator's pods.
*/}}
{{- define "quorum.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quorum.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the operator's ServiceAccount.
*/}}
{{- define "quorum.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "quorum.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference: repository:tag, the tag defaulting to the chart's appVersion.
*/}}
{{- define "quorum.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Whether leader election is on: "true" or "" (empty = false), so it can be used in `if`.
leaderElection.enabled is a tri-state: "auto" (on when replicaCount > 1), true or false.
*/}}
{{- define "quorum.leaderElection" -}}
{{- $enabled := .Values.leaderElection.enabled }}
{{- if kindIs "bool" $enabled }}
{{- if $enabled }}true{{ end }}
{{- else if eq (toString $enabled) "auto" }}
{{- if gt (int .Values.replicaCount) 1 }}true{{ end }}
{{- else }}
{{- fail (printf "leaderElection.enabled must be \"auto\", true or false, not %v" $enabled) }}
{{- end }}
{{- end }}

{{/*
The operator's RBAC rules, the same cluster-wide (ClusterRole) and per watched namespace (Role).
Least privilege: exactly what the reconciler does, nothing else (no secrets, no pod deletion).
*/}}
{{- define "quorum.rules" -}}
- apiGroups: ["etcd.quorum.dev"]
  resources: ["etcdclusters"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["etcd.quorum.dev"]
  resources: ["etcdclusters/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["etcd.quorum.dev"]
  resources: ["etcdclusters/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/*
Leader election's rules: leases in the operator's own namespace only.
*/}}
{{- define "quorum.leaderElectionRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "patch"]
{{- end }}
