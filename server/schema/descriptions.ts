// Short descriptions for `kubectl explain` and the OpenAPI documents, in kage's own words: what a kind, a type
// or a field means. Keys: "alias.Message" for a type, "alias.Message.field" for a field. Fields without an entry
// get none (or, for apiVersion, kind, metadata, spec and status of a kind, the generic texts below).

/** Texts every kind shares; `%s` is the kind. */
export const GENERIC = {
  apiVersion:
    'The versioned schema of this representation of the object, e.g. "v1" or "apps/v1". Servers convert ' +
    'recognized schemas to their latest internal value and may reject unrecognized ones.',
  kind:
    'The REST resource type this object represents, in CamelCase, e.g. "Pod". Servers may infer it from the ' +
    'endpoint the client submits requests to. Cannot be updated.',
  metadata: "Standard object metadata: name, namespace, labels, annotations and the system's bookkeeping.",
  spec: 'The desired state of the %s, as set by its owner.',
  status: 'The most recently observed state of the %s. Written by the system; read-only for clients.',
  listMetadata: 'Standard list metadata: resourceVersion and the continue token of paginated lists.',
  listItems: 'The %s objects of the list.',
  list: 'A list of %s objects.',
} as const;

export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  // ---- meta/v1
  'meta.ObjectMeta':
    'Metadata every persisted object carries: its identity, its labels and annotations, and what the system ' +
    'records about its life (versions, timestamps, owners, finalizers, field managers).',
  'meta.ObjectMeta.name':
    'Name of the object, unique among objects of its kind in its namespace. Required on create unless ' +
    'generateName is set. Cannot be updated.',
  'meta.ObjectMeta.generateName':
    'Prefix from which the server generates a unique name when name is not given. The generated name is the ' +
    'prefix plus a random suffix.',
  'meta.ObjectMeta.namespace':
    'Namespace the object lives in; empty for cluster-scoped kinds and defaulted to "default" by most clients. ' +
    'Cannot be updated.',
  'meta.ObjectMeta.selfLink': 'Deprecated and never set by the server; kept for compatibility.',
  'meta.ObjectMeta.uid':
    'Identifier the server assigns on create, unique in time and space. Distinguishes objects that reuse a ' +
    'name. Read-only.',
  'meta.ObjectMeta.resourceVersion':
    'Opaque version of the object, changed on every write. Used for optimistic concurrency, watches and ' +
    'consistent reads. Clients must not interpret it. Read-only.',
  'meta.ObjectMeta.generation':
    'Sequence number of a specific generation of the desired state, bumped by the system when the spec ' +
    'changes. Read-only.',
  'meta.ObjectMeta.creationTimestamp':
    'When the server created the object (RFC 3339, UTC). Read-only.',
  'meta.ObjectMeta.deletionTimestamp':
    'When the object is due to be gone: set by the server when deletion is requested and finalizers or a ' +
    'grace period keep the object for a while. Read-only.',
  'meta.ObjectMeta.deletionGracePeriodSeconds':
    'Seconds the object is allowed to terminate gracefully before it is removed; set together with ' +
    'deletionTimestamp. Read-only.',
  'meta.ObjectMeta.labels':
    'Key/value pairs used to organize and select objects (label selectors match on them).',
  'meta.ObjectMeta.annotations':
    'Key/value pairs of arbitrary, non-identifying data for tools and extensions. Not queryable.',
  'meta.ObjectMeta.ownerReferences':
    'Objects this object depends on. When every owner is gone, the garbage collector deletes this object. At ' +
    'most one owner may be the managing controller.',
  'meta.ObjectMeta.finalizers':
    'Names of the parties that must clean up before the object can be removed. Deletion waits until the list ' +
    'is empty. Kept as an ordered set.',
  'meta.ObjectMeta.managedFields':
    'Which field manager (a client or controller) owns which fields, and through which operation, as tracked ' +
    'by server-side apply. Normally left to the server.',
  'meta.ListMeta': 'Metadata of a list: its resourceVersion and, for paginated lists, the continue token.',
  'meta.LabelSelector':
    'A label query. matchLabels and matchExpressions must all hold (AND). An empty selector matches every ' +
    'object; a missing one matches none.',
  'meta.LabelSelector.matchLabels':
    'Labels an object must carry with exactly these values (each entry is a matchExpressions "In" with one ' +
    'value).',
  'meta.LabelSelector.matchExpressions': 'Label requirements that must all hold.',
  'meta.OwnerReference':
    'Identifies an owning object, which must be in the same namespace as the dependent or cluster-scoped.',
  'meta.ManagedFieldsEntry': 'The fields one manager owns through one operation, with the API version used.',
  'meta.Status': 'The result of an operation that returns no object, and the body of every error.',
  'meta.DeleteOptions': 'Options of a DELETE: grace period, preconditions and what happens to dependents.',
  'meta.Condition': 'One aspect of the current state of an object, with when and why it last changed.',
  'meta.WatchEvent': 'One event of a watch stream: its type and the object it is about.',
  'meta.Patch': 'The body of a PATCH request, in the format its Content-Type names.',

  // ---- core/v1
  'core.ConfigMap': 'ConfigMap holds non-confidential configuration data as key/value pairs for pods to consume.',
  'core.ConfigMap.data':
    'Configuration data as UTF-8 strings. Keys may contain alphanumerics, "-", "_" and "." and must not also ' +
    'appear in binaryData.',
  'core.ConfigMap.binaryData':
    'Configuration data as binary values (base64 in JSON). Keys follow the rules of data and must not also ' +
    'appear there.',
  'core.ConfigMap.immutable':
    'When true, data and binaryData can no longer be changed (only metadata can). Cannot be unset; the ' +
    'ConfigMap has to be deleted and recreated instead.',
  'core.Secret': 'Secret holds a small amount of sensitive data, such as a password, token or key.',
  'core.Secret.data': 'Secret data as base64-encoded values. Keys may contain alphanumerics, "-", "_" and ".".',
  'core.Secret.stringData':
    'Write-only convenience: plain-text values merged into data on write (they win over data). Never returned.',
  'core.Secret.type': 'Helps programs handle the data, e.g. Opaque or kubernetes.io/tls.',
  'core.Secret.immutable': 'When true, the data can no longer be changed.',
  'core.Namespace': 'Namespace provides a scope for names. Deleting it deletes everything in it.',
  'core.ServiceAccount': 'ServiceAccount is an identity for processes running in pods.',
  'core.Service':
    'Service is a named abstraction of software service: a set of pods (picked by a selector) reached through ' +
    'a stable address and ports.',
  'core.Endpoints': 'Endpoints lists the addresses and ports that implement a Service.',
  'core.Event': 'Event is a report of something that happened in the cluster.',
  'core.Node': 'Node is a worker machine of the cluster.',
  'core.PersistentVolumeClaim': 'PersistentVolumeClaim is a request for storage by a user.',
  'core.Binding': 'Binding ties an object to another, e.g. a pod to the node it is scheduled on.',
  'core.Pod': 'Pod is a group of containers that run together on one node, sharing network and storage.',
  'core.ObjectReference': 'A reference to an object of any kind.',
  'core.LocalObjectReference': 'A reference to an object in the same namespace, by name.',
  'core.PodTemplateSpec': 'Describes the pods to create from a template: their metadata and their spec.',
  'core.PodTemplateSpec.metadata': 'Metadata given to every pod created from the template (labels, annotations).',
  'core.PodTemplateSpec.spec': 'Specification of the pods created from the template.',
  'core.PodSpec': 'The desired state of a pod: its containers, volumes and scheduling constraints.',
  'core.PodSpec.containers':
    'The containers of the pod; at least one. Containers cannot be added or removed once the pod exists.',
  'core.PodSpec.initContainers':
    'Containers run to completion, one after the other, before the regular containers start.',
  'core.PodSpec.ephemeralContainers':
    'Temporary containers added to a running pod for debugging, through the ephemeralcontainers subresource.',
  'core.PodSpec.volumes': 'Volumes the containers of the pod can mount.',
  'core.PodSpec.restartPolicy': 'When containers are restarted: Always (default), OnFailure or Never.',
  'core.PodSpec.terminationGracePeriodSeconds':
    'Seconds the pod gets to stop gracefully after it is asked to terminate; 30 by default.',
  'core.PodSpec.activeDeadlineSeconds':
    'Seconds the pod may be active, counted from its start, before the system actively stops it.',
  'core.PodSpec.dnsPolicy': 'How the pod resolves names: ClusterFirst (default), ClusterFirstWithHostNet, Default or None.',
  'core.PodSpec.nodeSelector': 'Labels a node must carry for the pod to be scheduled on it.',
  'core.PodSpec.serviceAccountName': 'Name of the ServiceAccount the pod runs as.',
  'core.PodSpec.serviceAccount': 'Deprecated alias of serviceAccountName.',
  'core.PodSpec.automountServiceAccountToken': 'Whether a service account token is mounted into the pod.',
  'core.PodSpec.nodeName': 'Node the pod runs on. Set by the scheduler; setting it directly bypasses scheduling.',
  'core.PodSpec.hostNetwork': "Whether the pod uses the node's network namespace.",
  'core.PodSpec.hostPID': "Whether the pod uses the node's process ID namespace.",
  'core.PodSpec.hostIPC': "Whether the pod uses the node's IPC namespace.",
  'core.PodSpec.securityContext': 'Security attributes and common container settings for the whole pod.',
  'core.PodSpec.imagePullSecrets': 'Secrets in the same namespace used to pull the images of the pod.',
  'core.PodSpec.hostname': 'Host name of the pod; defaults to a system-defined value.',
  'core.PodSpec.subdomain': 'When set, the pod\'s fully qualified name is "<hostname>.<subdomain>.<namespace>.svc".',
  'core.PodSpec.affinity': 'Node affinity and pod (anti-)affinity scheduling constraints.',
  'core.PodSpec.schedulerName': 'Scheduler that places the pod; the default scheduler when empty.',
  'core.PodSpec.tolerations': 'Taints of nodes the pod tolerates.',
  'core.PodSpec.hostAliases': 'Entries added to the pod\'s /etc/hosts.',
  'core.PodSpec.priorityClassName': 'PriorityClass giving the pod its priority.',
  'core.PodSpec.priority': 'Priority of the pod, filled in from priorityClassName by admission.',
  'core.PodSpec.topologySpreadConstraints': 'How the pods of a group spread across topology domains.',
  'core.Container': 'A single application container of a pod.',
  'core.Container.name': 'Name of the container, a DNS label unique within the pod. Cannot be updated.',
  'core.Container.image': 'Container image to run.',
  'core.Container.command': "Entrypoint to run instead of the image's; not run in a shell.",
  'core.Container.args': "Arguments to the entrypoint, replacing the image's CMD.",
  'core.Container.workingDir': "Working directory of the container; the image's default when empty.",
  'core.Container.ports': 'Network ports the container exposes (informational; any listening port is reachable).',
  'core.Container.env': 'Environment variables set in the container.',
  'core.Container.envFrom': 'Sources (ConfigMaps, Secrets) whose keys become environment variables.',
  'core.Container.resources': 'Compute resources the container requests and the limits it must stay within.',
  'core.Container.volumeMounts': "Pod volumes mounted into the container's filesystem.",
  'core.Container.livenessProbe': 'Periodic check of container liveness; the container is restarted when it fails.',
  'core.Container.readinessProbe': 'Periodic check of readiness; the pod receives no Service traffic while it fails.',
  'core.Container.startupProbe': 'Check that must succeed once before the other probes start.',
  'core.Container.lifecycle': 'Actions taken on container start and before it stops.',
  'core.Container.imagePullPolicy': 'When the image is pulled: Always, Never or IfNotPresent.',
  'core.Container.securityContext': 'Security options the container runs with.',
  'core.Container.stdin': 'Whether the container has a stdin buffer.',
  'core.Container.tty': 'Whether the container gets a TTY (needs stdin).',
  'core.ContainerPort': 'A network port of a container.',
  'core.ContainerPort.containerPort': 'Port number on the pod\'s IP address (1-65535).',
  'core.ContainerPort.protocol': 'Protocol of the port: TCP (default), UDP or SCTP.',
  'core.ContainerPort.name': 'Name of the port, an IANA service name unique within the pod.',
  'core.EnvVar': 'An environment variable of a container.',
  'core.EnvVar.name': 'Name of the variable.',
  'core.EnvVar.value': 'Value of the variable; $(VAR) references to earlier variables are expanded.',
  'core.EnvVar.valueFrom': 'Source of the value when it is not given literally.',
  'core.Volume': 'A named volume of a pod, and where its data comes from.',
  'core.Volume.name': 'Name of the volume, a DNS label unique within the pod.',
  'core.VolumeMount': 'Where a volume is mounted in a container.',
  'core.ResourceRequirements': 'Compute resource requests and limits.',

  // ---- apps/v1
  'apps.Deployment': 'Deployment declares the desired state of a set of identical pods and rolls out changes to them.',
  'apps.DeploymentSpec': 'The desired state of a Deployment.',
  'apps.DeploymentSpec.replicas': 'Number of desired pods; 1 when not set.',
  'apps.DeploymentSpec.selector':
    "Label selector of the Deployment's pods. Must match the template's labels. Cannot be changed in apps/v1.",
  'apps.DeploymentSpec.template':
    'Template of the pods the Deployment creates. Its restartPolicy may only be "Always".',
  'apps.DeploymentSpec.strategy': 'How existing pods are replaced by new ones.',
  'apps.DeploymentSpec.minReadySeconds':
    'Seconds a new pod must be ready, without any container crashing, before it counts as available.',
  'apps.DeploymentSpec.revisionHistoryLimit': 'Number of old ReplicaSets kept for rollback; 10 by default.',
  'apps.DeploymentSpec.paused': 'Whether the Deployment is paused (changes to the template are not rolled out).',
  'apps.DeploymentSpec.progressDeadlineSeconds':
    'Seconds the Deployment may take to make progress before it is reported as failed; 600 by default.',
  'apps.DeploymentStatus': 'The observed state of a Deployment.',
  'apps.DeploymentStrategy': 'How a Deployment replaces its pods.',
  'apps.DeploymentStrategy.type': 'Recreate or RollingUpdate (default).',
  'apps.DeploymentStrategy.rollingUpdate': 'Parameters of a rolling update; only with type RollingUpdate.',
  'apps.RollingUpdateDeployment': 'How fast a rolling update proceeds.',
  'apps.RollingUpdateDeployment.maxUnavailable':
    'Pods (a number, or a percentage of the desired ones) that may be unavailable during the update; 25% by default.',
  'apps.RollingUpdateDeployment.maxSurge':
    'Pods (a number, or a percentage of the desired ones) that may be created above the desired number; 25% by default.',
  'autoscaling.Scale': 'Scale is the desired and observed number of replicas of a scalable resource.',

  // ---- core/v1 ReplicationController
  'core.ReplicationController':
    'ReplicationController keeps a number of identical pods running: the predecessor of ReplicaSets and Deployments.',
  'core.ReplicationControllerSpec': 'The desired state of a ReplicationController.',
  'core.ReplicationControllerSpec.replicas': 'Number of desired pods; 1 when not set.',
  'core.ReplicationControllerSpec.selector':
    "Labels a pod must carry to count towards the replicas. Defaults to the template's labels and must match them.",
  'core.ReplicationControllerSpec.template':
    'Template of the pods the controller creates. Its restartPolicy may only be "Always".',
  'core.ReplicationControllerSpec.minReadySeconds':
    'Seconds a new pod must be ready, without any container crashing, before it counts as available.',
  'core.ReplicationControllerStatus': 'The observed state of a ReplicationController.',
  'core.ReplicationControllerStatus.replicas': 'Number of pods the controller last saw.',
  'core.ReplicationControllerStatus.fullyLabeledReplicas': "Pods carrying every label of the template.",
  'core.ReplicationControllerStatus.readyReplicas': 'Pods that are ready.',
  'core.ReplicationControllerStatus.availableReplicas': 'Pods ready for at least minReadySeconds.',
  'core.ReplicationControllerStatus.observedGeneration': 'The generation of the spec the controller last acted on.',
  'core.ReplicationControllerStatus.conditions': 'Current conditions of the controller, e.g. ReplicaFailure.',
  'core.ReplicationControllerCondition': 'One aspect of the state of a ReplicationController.',

  // ---- apiregistration.k8s.io/v1
  'apiregistration.APIService':
    'APIService registers an API group version with the aggregation layer: served locally or by an extension ' +
    'API server behind a Service.',
  'apiregistration.APIServiceSpec': 'Where an API group version is served and how to reach and trust its server.',
  'apiregistration.APIServiceSpec.service':
    'Service in front of the extension API server. When empty, the group version is served by this server itself.',
  'apiregistration.APIServiceSpec.group': 'API group name this APIService serves.',
  'apiregistration.APIServiceSpec.version': 'API version this APIService serves, e.g. "v1".',
  'apiregistration.APIServiceSpec.insecureSkipTLSVerify':
    'Skip verifying the TLS certificate of the extension API server. Strongly discouraged; use caBundle.',
  'apiregistration.APIServiceSpec.caBundle':
    "PEM-encoded CA bundle used to verify the extension API server's serving certificate.",
  'apiregistration.APIServiceSpec.groupPriorityMinimum':
    'Priority of the group in discovery: groups with higher numbers come first. Among APIServices of one ' +
    'group the highest minimum counts.',
  'apiregistration.APIServiceSpec.versionPriority':
    'Order of this version within its group: higher first; equal priorities sort by Kubernetes version rules.',
  'apiregistration.APIServiceStatus': 'The observed state of an APIService, through its conditions.',
  'apiregistration.APIServiceStatus.conditions': 'Current conditions, notably Available.',
  'apiregistration.ServiceReference': 'A reference to a Service, by namespace, name and port.',
  'apiregistration.ServiceReference.namespace': 'Namespace of the Service.',
  'apiregistration.ServiceReference.name': 'Name of the Service.',
  'apiregistration.ServiceReference.port': 'Port of the Service to connect to (1-65535); 443 by default.',

  // ---- rbac.authorization.k8s.io/v1
  'rbac.Role': 'Role is a set of permissions (policy rules) within one namespace, granted through RoleBindings.',
  'rbac.Role.rules': 'The permissions of the role; each rule grants its verbs on the resources it names.',
  'rbac.ClusterRole':
    'ClusterRole is a set of permissions (policy rules) that is not tied to a namespace: granted cluster-wide ' +
    'through ClusterRoleBindings, or within a namespace through RoleBindings.',
  'rbac.ClusterRole.rules':
    'The permissions of the cluster role; each rule grants its verbs on the resources or non-resource URLs it ' +
    'names. Filled in by the controller when aggregationRule is set.',
  'rbac.ClusterRole.aggregationRule':
    'When set, the rules are the union of the rules of the ClusterRoles these selectors match, kept up to date ' +
    'by a controller; rules written by hand are overwritten.',
  'rbac.AggregationRule': 'Which ClusterRoles an aggregated ClusterRole collects its rules from.',
  'rbac.AggregationRule.clusterRoleSelectors':
    'Label selectors; the rules of every ClusterRole matching any of them are included.',
  'rbac.PolicyRule':
    'One permission: verbs allowed on resources (of API groups, optionally by name) or on non-resource URLs, ' +
    'never both.',
  'rbac.PolicyRule.verbs': 'Verbs allowed, e.g. get, list, watch, create, update, patch, delete; "*" for all.',
  'rbac.PolicyRule.apiGroups': 'API groups of the resources; "" is the core group and "*" any group.',
  'rbac.PolicyRule.resources':
    'Resources the verbs apply to, e.g. "pods" or "deployments/scale" for a subresource; "*" for all.',
  'rbac.PolicyRule.resourceNames': 'Names of the objects the rule is limited to; every object when empty.',
  'rbac.PolicyRule.nonResourceURLs':
    'URL paths that are not API resources, e.g. "/healthz"; a trailing "*" matches a prefix. Only meaningful ' +
    'in ClusterRoles bound by ClusterRoleBindings.',
  'rbac.RoleBinding':
    'RoleBinding grants the permissions of a Role, or of a ClusterRole, to subjects within its own namespace.',
  'rbac.RoleBinding.subjects': 'Who is granted the role: users, groups or service accounts.',
  'rbac.RoleBinding.roleRef':
    'The Role (in the same namespace) or ClusterRole granted. Cannot be changed: delete and recreate the binding.',
  'rbac.ClusterRoleBinding': 'ClusterRoleBinding grants the permissions of a ClusterRole to subjects in every namespace.',
  'rbac.ClusterRoleBinding.subjects': 'Who is granted the role: users, groups or service accounts.',
  'rbac.ClusterRoleBinding.roleRef':
    'The ClusterRole granted. Cannot be changed: delete and recreate the binding.',
  'rbac.RoleRef': 'A reference to the role a binding grants.',
  'rbac.RoleRef.apiGroup': 'API group of the role: rbac.authorization.k8s.io.',
  'rbac.RoleRef.kind': 'Role or ClusterRole.',
  'rbac.RoleRef.name': 'Name of the role.',
  'rbac.Subject': 'Someone a binding grants a role to: a user, a group or a service account.',
  'rbac.Subject.kind': 'User, Group or ServiceAccount.',
  'rbac.Subject.apiGroup':
    'API group of the subject: "" for ServiceAccount, rbac.authorization.k8s.io (the default) for User and Group.',
  'rbac.Subject.name': 'Name of the user, group or service account.',
  'rbac.Subject.namespace':
    'Namespace of a ServiceAccount subject (defaults to the binding\'s own in a RoleBinding); empty for users and groups.',

  // ---- other kinds
  'coordination.Lease': 'Lease is a lock held by one holder for a time, used for leader election and heartbeats.',
  'events.Event':
    'Event is a report of something that happened in the cluster, as the events.k8s.io API writes it.',
  'authentication.TokenReview': 'TokenReview asks the server to authenticate a bearer token. Not stored.',
  'authentication.TokenRequest': 'TokenRequest asks for a token of a service account. Not stored.',
  'authentication.SelfSubjectReview': 'SelfSubjectReview returns the user information of the requester. Not stored.',
  'authorization.SubjectAccessReview': 'SubjectAccessReview asks whether a user may perform an action. Not stored.',
  'authorization.SelfSubjectAccessReview': 'SelfSubjectAccessReview asks whether the requester may perform an action.',
  'authorization.LocalSubjectAccessReview': 'LocalSubjectAccessReview asks about an action within one namespace.',
  'authorization.SelfSubjectRulesReview': 'SelfSubjectRulesReview lists what the requester may do in a namespace.',
  'admissionregistration.MutatingWebhookConfiguration':
    'MutatingWebhookConfiguration lists admission webhooks that may change objects before they are stored.',
  'admissionregistration.ValidatingWebhookConfiguration':
    'ValidatingWebhookConfiguration lists admission webhooks that accept or reject objects before they are stored.',
  'admissionregistration.ValidatingAdmissionPolicy':
    'ValidatingAdmissionPolicy describes CEL validations that admit or reject requests without a webhook.',
  'admissionregistration.ValidatingAdmissionPolicyBinding':
    'ValidatingAdmissionPolicyBinding applies a ValidatingAdmissionPolicy to resources, with its parameters.',
  'flowcontrol.FlowSchema':
    'FlowSchema classifies requests into flows and assigns them to a priority level (API Priority and Fairness).',
  'flowcontrol.PriorityLevelConfiguration':
    'PriorityLevelConfiguration sets the share of server capacity a priority level gets and how it queues.',
  'discovery.EndpointSlice':
    'EndpointSlice lists a subset of the network endpoints of a Service, of one address type.',
};
