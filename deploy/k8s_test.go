package deploy_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// --- Kubernetes objects, as far as the tests read them ----------------------

type objectMeta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type k8sObject struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   objectMeta        `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	file       string
	node       *yaml.Node
}

// spec decodes the object's spec into v.
func (o k8sObject) spec(t *testing.T, v any) {
	t.Helper()
	var wrapper struct {
		Spec yaml.Node `yaml:"spec"`
	}
	if err := o.node.Decode(&wrapper); err != nil {
		t.Fatalf("%s %s: %v", o.Kind, o.Metadata.Name, err)
	}
	if err := wrapper.Spec.Decode(v); err != nil {
		t.Fatalf("%s %s: spec: %v", o.Kind, o.Metadata.Name, err)
	}
}

type labelSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
	PeriodSeconds    int `yaml:"periodSeconds"`
	TimeoutSeconds   int `yaml:"timeoutSeconds"`
	FailureThreshold int `yaml:"failureThreshold"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	EnvFrom []struct {
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
	StartupProbe   *probe `yaml:"startupProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Lifecycle      struct {
		PreStop *struct {
			Sleep *struct {
				Seconds int `yaml:"seconds"`
			} `yaml:"sleep"`
			Exec *struct {
				Command []string `yaml:"command"`
			} `yaml:"exec"`
		} `yaml:"preStop"`
	} `yaml:"lifecycle"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
}

func (c container) env(name string) (string, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

func (c container) hasPort(port any) bool {
	for _, p := range c.Ports {
		switch v := port.(type) {
		case string:
			if p.Name == v {
				return true
			}
		case int:
			if p.ContainerPort == v {
				return true
			}
		}
	}
	return false
}

type podSpec struct {
	TerminationGracePeriodSeconds *int `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               struct {
		RunAsNonRoot *bool  `yaml:"runAsNonRoot"`
		RunAsUser    *int64 `yaml:"runAsUser"`
		FSGroup      *int64 `yaml:"fsGroup"`
	} `yaml:"securityContext"`
	Containers []container `yaml:"containers"`
	Volumes    []struct {
		Name     string `yaml:"name"`
		EmptyDir *struct {
			SizeLimit string `yaml:"sizeLimit"`
		} `yaml:"emptyDir"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		PersistentVolumeClaim *struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

type workloadSpec struct {
	Replicas    *int          `yaml:"replicas"`
	ServiceName string        `yaml:"serviceName"`
	Selector    labelSelector `yaml:"selector"`
	Template    struct {
		Metadata objectMeta `yaml:"metadata"`
		Spec     podSpec    `yaml:"spec"`
	} `yaml:"template"`
	VolumeClaimTemplates []struct {
		Metadata objectMeta `yaml:"metadata"`
		Spec     struct {
			Resources struct {
				Requests map[string]string `yaml:"requests"`
			} `yaml:"resources"`
		} `yaml:"spec"`
	} `yaml:"volumeClaimTemplates"`
}

type serviceSpec struct {
	ClusterIP string            `yaml:"clusterIP"`
	Selector  map[string]string `yaml:"selector"`
	Ports     []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort any    `yaml:"targetPort"`
	} `yaml:"ports"`
}

// corridorConfig is the part of corridor.yaml the manifests depend on; the
// binary checks the whole file (TestConfigsAcceptedByCorridor).
type corridorConfig struct {
	DataDir       string `yaml:"data_dir"`
	ShutdownGrace string `yaml:"shutdown_grace"`
	Gateway       struct {
		HTTPAddr     string `yaml:"http_addr"`
		ReadyTimeout string `yaml:"ready_timeout"`
	} `yaml:"gateway"`
	Spool struct {
		Enabled  *bool `yaml:"enabled"`
		MaxBytes int64 `yaml:"max_bytes"`
	} `yaml:"spool"`
	Sources map[string]any `yaml:"sources"`
}

// Defaults of cmd/corridor's Config for the fields above.
const (
	defaultShutdownGrace = 15 * time.Second
	defaultReadyTimeout  = 2 * time.Second
	defaultSpoolMaxBytes = 1 << 30
)

func (c corridorConfig) shutdownGrace(t *testing.T) time.Duration {
	if c.ShutdownGrace == "" {
		return defaultShutdownGrace
	}
	d, err := time.ParseDuration(c.ShutdownGrace)
	if err != nil {
		t.Fatalf("shutdown_grace: %v", err)
	}
	return d
}

func (c corridorConfig) spoolMaxBytes() float64 {
	if c.Spool.MaxBytes == 0 {
		return defaultSpoolMaxBytes
	}
	return float64(c.Spool.MaxBytes)
}

// manifests are the objects of every YAML file in k8s/ but the kustomization.
type manifests struct {
	objects []k8sObject
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no k8s/*.yaml: %v", err)
	}
	var ms manifests
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		dec := yaml.NewDecoder(bytes.NewReader(readFile(t, f)))
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var o k8sObject
			if err := node.Decode(&o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
				t.Errorf("%s: a document lacks apiVersion, kind or metadata.name", f)
				continue
			}
			o.file, o.node = f, &node
			ms.objects = append(ms.objects, o)
		}
	}
	return ms
}

func (ms manifests) find(kind, name string) (k8sObject, bool) {
	for _, o := range ms.objects {
		if o.Kind == kind && o.Metadata.Name == name {
			return o, true
		}
	}
	return k8sObject{}, false
}

func (ms manifests) mustFind(t *testing.T, kind, name string) k8sObject {
	t.Helper()
	o, ok := ms.find(kind, name)
	if !ok {
		t.Fatalf("no %s %s in k8s/", kind, name)
	}
	return o
}

// config is the corridor.yaml of the ConfigMap a workload mounts.
func (ms manifests) config(t *testing.T, cmName, key string) corridorConfig {
	t.Helper()
	cm := ms.mustFind(t, "ConfigMap", cmName)
	text, ok := cm.Data[key]
	if !ok {
		t.Fatalf("ConfigMap %s has no key %s", cmName, key)
	}
	var cfg corridorConfig
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		t.Fatalf("ConfigMap %s %s: %v", cmName, key, err)
	}
	return cfg
}

func subset(sub, of map[string]string) bool {
	if len(sub) == 0 {
		return false
	}
	for k, v := range sub {
		if of[k] != v {
			return false
		}
	}
	return true
}

func flag(args []string, name string) (string, bool) {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, true
		}
	}
	return "", false
}

func quantity(t *testing.T, what, s string) float64 {
	t.Helper()
	v, err := parseQuantity(s)
	if err != nil || s == "" {
		t.Errorf("%s: quantity %q: %v", what, s, err)
	}
	return v
}

// --- Tests -----------------------------------------------------------------

func TestKubernetesManifestsParse(t *testing.T) {
	ms := loadManifests(t)
	for _, want := range []struct{ kind, name string }{
		{"Deployment", "corridor"}, {"StatefulSet", "corridor"}, {"Service", "corridor"},
		{"Service", "corridor-headless"}, {"PodDisruptionBudget", "corridor"}, {"ConfigMap", "corridor-config"},
		{"Secret", "corridor-secrets"}, {"ServiceMonitor", "corridor"}, {"HorizontalPodAutoscaler", "corridor"},
	} {
		ms.mustFind(t, want.kind, want.name)
	}
	for _, o := range ms.objects {
		if o.Metadata.Labels["app.kubernetes.io/name"] != "corridor" {
			t.Errorf("%s %s (%s): no label app.kubernetes.io/name=corridor", o.Kind, o.Metadata.Name, o.file)
		}
	}
}

// TestWorkloads checks the Deployment and its StatefulSet variant: probes
// the server answers, grace longer than preStop + shutdown_grace, brokers,
// secrets, resources, a non-root read-only container whose only writable
// path is the data dir (spool) volume.
func TestWorkloads(t *testing.T) {
	ms := loadManifests(t)
	srv := startServer(t, nil)
	for _, kind := range []string{"Deployment", "StatefulSet"} {
		t.Run(kind, func(t *testing.T) {
			o := ms.mustFind(t, kind, "corridor")
			var w workloadSpec
			o.spec(t, &w)
			pod := w.Template.Spec
			if !subset(w.Selector.MatchLabels, w.Template.Metadata.Labels) {
				t.Errorf("selector %v does not match the pod labels %v", w.Selector.MatchLabels, w.Template.Metadata.Labels)
			}
			if w.Replicas == nil || *w.Replicas != 2 {
				t.Errorf("replicas %v, want 2", w.Replicas)
			}
			if len(pod.Containers) != 1 || pod.Containers[0].Name != "corridor" {
				t.Fatalf("want one container named corridor, got %d", len(pod.Containers))
			}
			c := pod.Containers[0]
			if c.Image == "" {
				t.Error("no image")
			}

			// Config: --config points into the ConfigMap volume.
			if len(c.Args) == 0 || c.Args[0] != "serve" {
				t.Errorf("args %v, want serve …", c.Args)
			}
			cfgPath, ok := flag(c.Args, "--config")
			if !ok {
				t.Fatal("no --config in args")
			}
			volumes := map[string]int{}
			for i, v := range pod.Volumes {
				volumes[v.Name] = i
			}
			var cmName string
			for _, m := range c.VolumeMounts {
				if i, ok := volumes[m.Name]; ok && pod.Volumes[i].ConfigMap != nil && path.Dir(cfgPath) == m.MountPath {
					cmName = pod.Volumes[i].ConfigMap.Name
				}
			}
			if cmName == "" {
				t.Fatalf("--config %s is not in a ConfigMap volume", cfgPath)
			}
			cfg := ms.config(t, cmName, path.Base(cfgPath))

			// Probes: the paths the server answers, on the container's port.
			_, port, err := net.SplitHostPort(cfg.Gateway.HTTPAddr)
			if err != nil {
				t.Fatalf("gateway.http_addr %q: %v", cfg.Gateway.HTTPAddr, err)
			}
			if len(c.Ports) != 1 || port != strconv.Itoa(c.Ports[0].ContainerPort) {
				t.Errorf("container ports %+v, want the one of gateway.http_addr (%s)", c.Ports, port)
			}
			for name, p := range map[string]*probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
				if p == nil || p.HTTPGet == nil {
					if name != "startup" {
						t.Errorf("no HTTP %s probe", name)
					}
					continue
				}
				if !c.hasPort(p.HTTPGet.Port) {
					t.Errorf("%s probe port %v is not a container port", name, p.HTTPGet.Port)
				}
				if code := srv.get(t, p.HTTPGet.Path); code != http.StatusOK {
					t.Errorf("%s probe: GET %s on the gateway answers %d", name, p.HTTPGet.Path, code)
				}
			}
			if c.ReadinessProbe != nil && c.ReadinessProbe.HTTPGet.Path != "/readyz" {
				t.Errorf("readiness probe path %s, want /readyz", c.ReadinessProbe.HTTPGet.Path)
			}
			if c.LivenessProbe != nil && c.LivenessProbe.HTTPGet.Path != "/livez" {
				t.Errorf("liveness probe path %s, want /livez (/readyz would restart pods when Kafka is down)", c.LivenessProbe.HTTPGet.Path)
			}
			readyTimeout := defaultReadyTimeout
			if cfg.Gateway.ReadyTimeout != "" {
				if readyTimeout, err = time.ParseDuration(cfg.Gateway.ReadyTimeout); err != nil {
					t.Fatal(err)
				}
			}
			if c.ReadinessProbe != nil && time.Duration(c.ReadinessProbe.TimeoutSeconds)*time.Second <= readyTimeout {
				t.Errorf("readiness timeoutSeconds %d must exceed gateway.ready_timeout %v", c.ReadinessProbe.TimeoutSeconds, readyTimeout)
			}

			// Shutdown: preStop sleep, then SIGTERM and shutdown_grace, all
			// inside terminationGracePeriodSeconds.
			grace := cfg.shutdownGrace(t)
			var preStop time.Duration
			switch ps := c.Lifecycle.PreStop; {
			case ps == nil || ps.Sleep == nil:
				t.Error("no preStop sleep action (the distroless image has no sleep binary for exec)")
			default:
				preStop = time.Duration(ps.Sleep.Seconds) * time.Second
			}
			switch tg := pod.TerminationGracePeriodSeconds; {
			case tg == nil:
				t.Error("no terminationGracePeriodSeconds (default 30s)")
			case time.Duration(*tg)*time.Second <= preStop+grace || *tg <= 15:
				t.Errorf("terminationGracePeriodSeconds %d must exceed preStop %v + shutdown_grace %v (and 15)", *tg, preStop, grace)
			}

			// Kafka and secrets.
			if v, _ := c.env("CORRIDOR_KAFKA_BROKERS"); v == "" {
				t.Error("CORRIDOR_KAFKA_BROKERS is empty: each pod would start an embedded broker")
			}
			secretRef := ""
			for _, ef := range c.EnvFrom {
				if ef.SecretRef != nil {
					secretRef = ef.SecretRef.Name
				}
			}
			if _, ok := ms.find("Secret", secretRef); !ok {
				t.Errorf("envFrom secretRef %q: no such Secret in k8s/", secretRef)
			}

			// Resources.
			for _, r := range []string{"cpu", "memory"} {
				req := quantity(t, "requests."+r, c.Resources.Requests[r])
				lim := quantity(t, "limits."+r, c.Resources.Limits[r])
				if req > lim {
					t.Errorf("%s request %s above limit %s", r, c.Resources.Requests[r], c.Resources.Limits[r])
				}
			}
			if v, ok := c.env("GOMEMLIMIT"); ok {
				ml, err := parseGoMemLimit(v)
				if err != nil || ml >= quantity(t, "limits.memory", c.Resources.Limits["memory"]) {
					t.Errorf("GOMEMLIMIT %s must be below the memory limit %s (%v)", v, c.Resources.Limits["memory"], err)
				}
			}

			// Security.
			nonRoot := pod.SecurityContext.RunAsNonRoot
			if c.SecurityContext.RunAsNonRoot != nil {
				nonRoot = c.SecurityContext.RunAsNonRoot
			}
			if nonRoot == nil || !*nonRoot || pod.SecurityContext.RunAsUser == nil || *pod.SecurityContext.RunAsUser == 0 {
				t.Error("pod must run as non-root with a non-zero runAsUser")
			}
			if p := c.SecurityContext.ReadOnlyRootFilesystem; p == nil || !*p {
				t.Error("readOnlyRootFilesystem must be true")
			}
			if p := c.SecurityContext.AllowPrivilegeEscalation; p == nil || *p {
				t.Error("allowPrivilegeEscalation must be false")
			}
			if len(c.SecurityContext.Capabilities.Drop) != 1 || c.SecurityContext.Capabilities.Drop[0] != "ALL" {
				t.Error("capabilities must drop ALL")
			}

			// The data dir (the spool) is a writable volume, big enough.
			dataDir := cfg.DataDir
			if v, ok := c.env("CORRIDOR_DATA_DIR"); ok {
				dataDir = v
			}
			var dataMount string
			for _, m := range c.VolumeMounts {
				if m.MountPath == dataDir && !m.ReadOnly {
					dataMount = m.Name
				}
			}
			if dataMount == "" {
				t.Fatalf("data dir %q is not a writable volume mount (the root filesystem is read-only)", dataDir)
			}
			if cfg.Spool.Enabled != nil && !*cfg.Spool.Enabled {
				t.Error("spool disabled in the ConfigMap")
			}
			switch kind {
			case "Deployment":
				i, ok := volumes[dataMount]
				if !ok || pod.Volumes[i].EmptyDir == nil {
					t.Fatalf("data volume %s is not an emptyDir", dataMount)
				}
				if quantity(t, "emptyDir.sizeLimit", pod.Volumes[i].EmptyDir.SizeLimit) <= cfg.spoolMaxBytes() {
					t.Errorf("emptyDir sizeLimit %s must exceed spool.max_bytes %v", pod.Volumes[i].EmptyDir.SizeLimit, cfg.spoolMaxBytes())
				}
			case "StatefulSet":
				if _, ok := volumes[dataMount]; ok {
					t.Errorf("data volume %s must come from volumeClaimTemplates, not volumes", dataMount)
				}
				found := false
				for _, vct := range w.VolumeClaimTemplates {
					if vct.Metadata.Name == dataMount {
						found = true
						if quantity(t, "storage", vct.Spec.Resources.Requests["storage"]) <= cfg.spoolMaxBytes() {
							t.Errorf("PVC storage %s must exceed spool.max_bytes", vct.Spec.Resources.Requests["storage"])
						}
					}
				}
				if !found {
					t.Errorf("no volumeClaimTemplate %s", dataMount)
				}
				svc := ms.mustFind(t, "Service", w.ServiceName)
				var ss serviceSpec
				svc.spec(t, &ss)
				if ss.ClusterIP != "None" || !subset(ss.Selector, w.Template.Metadata.Labels) {
					t.Errorf("serviceName %s: want a headless Service selecting the pods", w.ServiceName)
				}
			}
		})
	}
}

// TestServicesAndPolicies: the Service, PDB, HPA and ServiceMonitor point
// at the Deployment's pods and port.
func TestServicesAndPolicies(t *testing.T) {
	ms := loadManifests(t)
	var dep workloadSpec
	ms.mustFind(t, "Deployment", "corridor").spec(t, &dep)
	podLabels := dep.Template.Metadata.Labels
	ctr := dep.Template.Spec.Containers[0]

	svcObj := ms.mustFind(t, "Service", "corridor")
	var svc serviceSpec
	svcObj.spec(t, &svc)
	if !subset(svc.Selector, podLabels) {
		t.Errorf("Service selector %v does not select the pods %v", svc.Selector, podLabels)
	}
	svcPorts := map[string]bool{}
	for _, p := range svc.Ports {
		svcPorts[p.Name] = true
		if !ctr.hasPort(p.TargetPort) {
			t.Errorf("Service port %s targets %v, not a container port", p.Name, p.TargetPort)
		}
	}

	var pdb struct {
		MinAvailable any           `yaml:"minAvailable"`
		Selector     labelSelector `yaml:"selector"`
	}
	ms.mustFind(t, "PodDisruptionBudget", "corridor").spec(t, &pdb)
	if !subset(pdb.Selector.MatchLabels, podLabels) {
		t.Error("PodDisruptionBudget does not select the pods")
	}
	if n, ok := pdb.MinAvailable.(int); !ok || n < 1 || n >= *dep.Replicas {
		t.Errorf("PodDisruptionBudget minAvailable %v: want 1..replicas-1", pdb.MinAvailable)
	}

	var hpa struct {
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicas int `yaml:"minReplicas"`
		MaxReplicas int `yaml:"maxReplicas"`
		Metrics     []struct {
			Type     string `yaml:"type"`
			Resource struct {
				Name string `yaml:"name"`
			} `yaml:"resource"`
		} `yaml:"metrics"`
	}
	hpaObj := ms.mustFind(t, "HorizontalPodAutoscaler", "corridor")
	hpaObj.spec(t, &hpa)
	if hpaObj.APIVersion != "autoscaling/v2" {
		t.Errorf("HPA apiVersion %s, want autoscaling/v2", hpaObj.APIVersion)
	}
	if _, ok := ms.find(hpa.ScaleTargetRef.Kind, hpa.ScaleTargetRef.Name); !ok || hpa.ScaleTargetRef.Kind != "Deployment" {
		t.Errorf("HPA targets %s %s, want the Deployment", hpa.ScaleTargetRef.Kind, hpa.ScaleTargetRef.Name)
	}
	if hpa.MinReplicas < 2 || hpa.MaxReplicas < hpa.MinReplicas {
		t.Errorf("HPA replicas %d..%d: want at least 2", hpa.MinReplicas, hpa.MaxReplicas)
	}
	if len(hpa.Metrics) == 0 || hpa.Metrics[0].Resource.Name != "cpu" {
		t.Error("HPA does not scale on CPU")
	}

	var sm struct {
		Selector  labelSelector `yaml:"selector"`
		Endpoints []struct {
			Port string `yaml:"port"`
			Path string `yaml:"path"`
		} `yaml:"endpoints"`
	}
	ms.mustFind(t, "ServiceMonitor", "corridor").spec(t, &sm)
	if !subset(sm.Selector.MatchLabels, svcObj.Metadata.Labels) {
		t.Error("ServiceMonitor does not select the corridor Service")
	}
	if headless, ok := ms.find("Service", "corridor-headless"); ok && subset(sm.Selector.MatchLabels, headless.Metadata.Labels) {
		t.Error("ServiceMonitor also selects the headless Service: every pod would be scraped twice")
	}
	for _, ep := range sm.Endpoints {
		if !svcPorts[ep.Port] || ep.Path != "/metrics" {
			t.Errorf("ServiceMonitor endpoint %+v: want a Service port and /metrics", ep)
		}
	}
}

// TestSecretExampleHoldsPlaceholders: the example Secret names real
// variables and holds no real secret.
func TestSecretExampleHoldsPlaceholders(t *testing.T) {
	s := loadManifests(t).mustFind(t, "Secret", "corridor-secrets")
	if len(s.Data) > 0 || len(s.StringData) == 0 {
		t.Fatal("the example Secret should use stringData only")
	}
	for k, v := range s.StringData {
		if !strings.HasPrefix(k, "CORRIDOR_SECRET_") && !strings.HasPrefix(k, "CORRIDOR_API_TOKEN_") {
			t.Errorf("%s: not a CORRIDOR_SECRET_* or CORRIDOR_API_TOKEN_* variable", k)
		}
		plain := v
		if b64, ok := strings.CutPrefix(v, "whsec_"); ok {
			b, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Errorf("%s: whsec_ value is not base64: %v", k, err)
			}
			plain = string(b)
		}
		if !strings.Contains(plain, "replace") {
			t.Errorf("%s: %q does not look like a placeholder", k, v)
		}
	}
}

func TestKustomization(t *testing.T) {
	var k struct {
		Kind      string   `yaml:"kind"`
		Resources []string `yaml:"resources"`
	}
	decodeYAML(t, filepath.Join("k8s", "kustomization.yaml"), &k)
	if k.Kind != "Kustomization" || len(k.Resources) == 0 {
		t.Fatalf("kustomization: kind %q, %d resources", k.Kind, len(k.Resources))
	}
	for _, r := range k.Resources {
		if !fileExists(filepath.Join("k8s", r)) {
			t.Errorf("resource %s does not exist", r)
		}
		if strings.Contains(r, "example") || r == "statefulset.yaml" {
			t.Errorf("resource %s does not belong in the Deployment variant", r)
		}
	}
}

// TestProbesTrackTheBroker documents what /readyz means for the Service:
// the gateway answers 503 while the broker does not, so Kubernetes takes
// the pod out of the Service (see README "Readiness and the spool").
func TestProbesTrackTheBroker(t *testing.T) {
	srv := startServer(t, errors.New("broker down"))
	if code := srv.get(t, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the broker down: %d, want 503", code)
	}
	if code := srv.get(t, "/livez"); code != http.StatusOK {
		t.Errorf("/livez with the broker down: %d, want 200", code)
	}
	if code := srv.get(t, "/metrics"); code != http.StatusOK {
		t.Errorf("/metrics: %d", code)
	}
}

// --- The binary accepts the configurations ---------------------------------

// TestConfigsAcceptedByCorridor loads the ConfigMap's corridor.yaml with the
// Deployment's environment and the example Secret, and the compose setup,
// through the real binary: `corridor sign` validates the whole config and
// builds the named source, as `serve` does at start.
func TestConfigsAcceptedByCorridor(t *testing.T) {
	bin := corridorBin(t)
	ms := loadManifests(t)
	var dep workloadSpec
	ms.mustFind(t, "Deployment", "corridor").spec(t, &dep)
	c := dep.Template.Spec.Containers[0]

	dir := t.TempDir()
	cfgPath, _ := flag(c.Args, "--config")
	cfgFile := filepath.Join(dir, path.Base(cfgPath))
	cm := ms.mustFind(t, "ConfigMap", "corridor-config")
	if err := os.WriteFile(cfgFile, []byte(cm.Data[path.Base(cfgPath)]), 0o600); err != nil {
		t.Fatal(err)
	}
	body := filepath.Join(dir, "body.json")
	if err := os.WriteFile(body, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}

	env := cleanEnv()
	for _, e := range c.Env {
		env = append(env, e.Name+"="+e.Value)
	}
	for k, v := range ms.mustFind(t, "Secret", "corridor-secrets").StringData {
		env = append(env, k+"="+v)
	}
	cfg := ms.config(t, "corridor-config", path.Base(cfgPath))
	if len(cfg.Sources) == 0 {
		t.Fatal("the ConfigMap configures no source")
	}
	for name := range cfg.Sources {
		runTool(t, dir, env, bin, "sign", "--config", cfgFile, "--source", name, "--file", body)
	}

	// compose: deploy/dev/corridor.yaml with the corridor service's environment.
	svc := loadCompose(t).Services["corridor"]
	composeCfg, ok := flag(svc.Command, "--config")
	if !ok {
		t.Fatal("compose corridor: no --config")
	}
	var devPath string
	for _, m := range svc.mounts() {
		if m.target == composeCfg {
			devPath = m.source
		}
	}
	if devPath == "" {
		t.Fatalf("compose corridor: --config %s is not mounted", composeCfg)
	}
	env = cleanEnv()
	for k, v := range svc.Environment {
		env = append(env, k+"="+v)
	}
	var dev corridorConfig
	decodeYAML(t, devPath, &dev)
	for name := range dev.Sources {
		runTool(t, dir, env, bin, "sign", "--config", filepath.Join(mustAbs(t, "."), devPath), "--source", name, "--file", body)
	}
}

// cleanEnv is the test's environment without CORRIDOR_* variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CORRIDOR_") {
			out = append(out, kv)
		}
	}
	return out
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// --- compose and Dockerfile -------------------------------------------------

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	User        string            `yaml:"user"`
	ReadOnly    bool              `yaml:"read_only"`
	DependsOn   yaml.Node         `yaml:"depends_on"`
}

type composeMount struct{ source, target string }

func (s composeService) mounts() []composeMount {
	var out []composeMount
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			out = append(out, composeMount{parts[0], parts[1]})
		}
	}
	return out
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	var c composeFile
	decodeYAML(t, "compose.yaml", &c)
	return c
}

// TestCompose checks what can be checked without Docker: the files it
// mounts exist, services point at each other's names and ports, and the
// gateway runs non-root on a read-only root with its data on a volume.
func TestCompose(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"corridor", "kafka", "prometheus", "grafana"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("no service %s", name)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s: no image or build", name)
		}
		for _, m := range s.mounts() {
			switch {
			case strings.HasPrefix(m.source, "./") || strings.HasPrefix(m.source, "../"):
				if !fileExists(m.source) && !dirExists(m.source) {
					t.Errorf("%s: mounts %s, which does not exist", name, m.source)
				}
			default:
				if _, ok := c.Volumes[m.source]; !ok {
					t.Errorf("%s: named volume %s is not declared", name, m.source)
				}
			}
		}
	}

	gw := c.Services["corridor"]
	if gw.Build == nil || !fileExists(filepath.Join(gw.Build.Context, gw.Build.Dockerfile)) {
		t.Errorf("corridor: build %+v does not name a Dockerfile", gw.Build)
	} else if !fileExists(filepath.Join(gw.Build.Context, gw.Build.Dockerfile+".dockerignore")) {
		t.Errorf("corridor: no %s.dockerignore: the whole repository (bin/, .tools/) would be sent to the builder", gw.Build.Dockerfile)
	}
	if !gw.ReadOnly || gw.User == "" || strings.HasPrefix(gw.User, "0") || strings.HasPrefix(gw.User, "root") {
		t.Errorf("corridor: want read_only and a non-root user, got read_only=%v user=%q", gw.ReadOnly, gw.User)
	}
	dataDir := gw.Environment["CORRIDOR_DATA_DIR"]
	onVolume := false
	for _, m := range gw.mounts() {
		if m.target == dataDir {
			onVolume = true
		}
	}
	if dataDir == "" || !onVolume {
		t.Errorf("corridor: CORRIDOR_DATA_DIR %q is not a volume", dataDir)
	}
	brokers := gw.Environment["CORRIDOR_KAFKA_BROKERS"]
	host, port, err := net.SplitHostPort(brokers)
	if err != nil {
		t.Fatalf("corridor: CORRIDOR_KAFKA_BROKERS %q: %v", brokers, err)
	}
	if _, ok := c.Services[host]; !ok {
		t.Errorf("CORRIDOR_KAFKA_BROKERS host %s is not a service", host)
	}
	if adv := c.Services[host].Environment["KAFKA_ADVERTISED_LISTENERS"]; !strings.Contains(adv, "//"+host+":"+port) {
		t.Errorf("kafka advertises %q, not %s:%s", adv, host, port)
	}

	// Prometheus scrapes corridor:8080 with rules.yaml next to its config.
	prom := c.Services["prometheus"]
	var cfgSource, cfgTarget string
	mounted := map[string]string{}
	for _, m := range prom.mounts() {
		mounted[m.target] = m.source
		if strings.HasSuffix(m.target, "prometheus.yml") {
			cfgSource, cfgTarget = m.source, m.target
		}
	}
	if cfgSource == "" {
		t.Fatal("prometheus: no prometheus.yml mounted")
	}
	if !regexp.MustCompile(`targets: \["corridor:8080"\]`).Match(readFile(t, cfgSource)) {
		t.Errorf("%s does not scrape corridor:8080", cfgSource)
	}
	if src := mounted[path.Join(path.Dir(cfgTarget), "rules.yaml")]; src != "./"+filepath.ToSlash(rulesPath) {
		t.Errorf("prometheus: rules.yaml is not mounted next to the config (got %q)", src)
	}

	// Grafana gets both provisioning folders.
	gm := map[string]string{}
	for _, m := range c.Services["grafana"].mounts() {
		gm[m.target] = m.source
	}
	for _, sub := range []string{"datasources", "dashboards"} {
		if gm["/etc/grafana/provisioning/"+sub] != "./grafana/provisioning/"+sub {
			t.Errorf("grafana: provisioning/%s is not mounted", sub)
		}
	}
}

// TestDockerfile: the build stage's Go matches go.mod, it builds the real
// main package, and the final stage is distroless and non-root.
func TestDockerfile(t *testing.T) {
	df := string(readFile(t, "Dockerfile"))
	gomod := string(readFile(t, filepath.Join(repoRoot, "go.mod")))
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	if !strings.Contains(df, "FROM golang:"+m[1]+" ") {
		t.Errorf("Dockerfile does not build with golang:%s (go.mod)", m[1])
	}
	b := regexp.MustCompile(`go build [^\n]* (\./cmd/\w+)`).FindStringSubmatch(df)
	if b == nil || !dirExists(filepath.Join(repoRoot, b[1])) {
		t.Errorf("Dockerfile's go build does not name a package of the repo: %v", b)
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 || !strings.HasPrefix(froms[len(froms)-1][1], "gcr.io/distroless/static") {
		t.Errorf("final stage %v, want gcr.io/distroless/static", froms)
	}
	u := regexp.MustCompile(`(?m)^USER (\S+)`).FindAllStringSubmatch(df, -1)
	if len(u) == 0 || strings.HasPrefix(u[len(u)-1][1], "0") || strings.HasPrefix(u[len(u)-1][1], "root") {
		t.Errorf("final USER %v, want non-root", u)
	}
	if !strings.Contains(df, "CGO_ENABLED=0") {
		t.Error("a static distroless image needs CGO_ENABLED=0")
	}
}
