// Request bodies captured from kubectl v1.32.4-dispatcher (pkg/apiserver/protobuf/kubectl.test.ts, UPDATE_KUBECTL_FIXTURES=1),
// each with the JSON the same kubectl prints for the object (`--dry-run=client -o json`).
export interface KubectlCapture {
  name: string;
  args: string[];
  apiVersion: string;
  kind: string;
  /** The request body, base64. */
  body: string;
  json: Record<string, unknown>;
}

export const KUBECTL_CAPTURES: KubectlCapture[] = [
  {
    "name": "configmap",
    "args": [
      "create",
      "configmap",
      "x",
      "--from-literal=a=1",
      "-n",
      "default"
    ],
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "body": "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiIKGAoBeBIAGgdkZWZhdWx0IgAqADIAOABCABIGCgFhEgExGgAiAA==",
    "json": {
      "kind": "ConfigMap",
      "apiVersion": "v1",
      "metadata": {
        "name": "x",
        "namespace": "default",
        "creationTimestamp": null
      },
      "data": {
        "a": "1"
      }
    }
  },
  {
    "name": "secret generic",
    "args": [
      "create",
      "secret",
      "generic",
      "s1",
      "--from-literal=user=admin",
      "--from-literal=pass=s3cr3t",
      "-n",
      "default"
    ],
    "apiVersion": "v1",
    "kind": "Secret",
    "body": "azhzAAoMCgJ2MRIGU2VjcmV0EjwKGQoCczESABoHZGVmYXVsdCIAKgAyADgAQgASDgoEcGFzcxIGczNjcjN0Eg0KBHVzZXISBWFkbWluGgAaACIA",
    "json": {
      "kind": "Secret",
      "apiVersion": "v1",
      "metadata": {
        "name": "s1",
        "namespace": "default",
        "creationTimestamp": null
      },
      "data": {
        "pass": "czNjcjN0",
        "user": "YWRtaW4="
      }
    }
  },
  {
    "name": "deployment",
    "args": [
      "create",
      "deployment",
      "web",
      "--image=nginx:1.27",
      "--replicas=3",
      "--port=80",
      "-n",
      "default"
    ],
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "body": "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsQBCiYKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA3dlYhKLAQgDEgwKCgoDYXBwEgN3ZWIacQocCgASABoAIgAqADIAOABCAFoKCgNhcHASA3dlYhJREjMKBW5naW54EgpuZ2lueDoxLjI3KgAyCgoAEAAYUCIAKgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=",
    "json": {
      "kind": "Deployment",
      "apiVersion": "apps/v1",
      "metadata": {
        "name": "web",
        "namespace": "default",
        "creationTimestamp": null,
        "labels": {
          "app": "web"
        }
      },
      "spec": {
        "replicas": 3,
        "selector": {
          "matchLabels": {
            "app": "web"
          }
        },
        "template": {
          "metadata": {
            "creationTimestamp": null,
            "labels": {
              "app": "web"
            }
          },
          "spec": {
            "containers": [
              {
                "name": "nginx",
                "image": "nginx:1.27",
                "ports": [
                  {
                    "containerPort": 80
                  }
                ],
                "resources": {}
              }
            ]
          }
        },
        "strategy": {}
      },
      "status": {}
    }
  },
  {
    "name": "deployment with zero replicas and a command",
    "args": [
      "create",
      "deployment",
      "idle",
      "--image=busybox",
      "--replicas=0",
      "-n",
      "default",
      "--",
      "sleep",
      "3600"
    ],
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "body": "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsgBCigKBGlkbGUSABoHZGVmYXVsdCIAKgAyADgAQgBaCwoDYXBwEgRpZGxlEo0BCAASDQoLCgNhcHASBGlkbGUacgodCgASABoAIgAqADIAOABCAFoLCgNhcHASBGlkbGUSURIzCgdidXN5Ym94EgdidXN5Ym94GgVzbGVlcBoEMzYwMCoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA",
    "json": {
      "kind": "Deployment",
      "apiVersion": "apps/v1",
      "metadata": {
        "name": "idle",
        "namespace": "default",
        "creationTimestamp": null,
        "labels": {
          "app": "idle"
        }
      },
      "spec": {
        "replicas": 0,
        "selector": {
          "matchLabels": {
            "app": "idle"
          }
        },
        "template": {
          "metadata": {
            "creationTimestamp": null,
            "labels": {
              "app": "idle"
            }
          },
          "spec": {
            "containers": [
              {
                "name": "busybox",
                "image": "busybox",
                "command": [
                  "sleep",
                  "3600"
                ],
                "resources": {}
              }
            ]
          }
        },
        "strategy": {}
      },
      "status": {}
    }
  },
  {
    "name": "namespace",
    "args": [
      "create",
      "namespace",
      "team-a"
    ],
    "apiVersion": "v1",
    "kind": "Namespace",
    "body": "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh4KFgoGdGVhbS1hEgAaACIAKgAyADgAQgASABoCCgAaACIA",
    "json": {
      "kind": "Namespace",
      "apiVersion": "v1",
      "metadata": {
        "name": "team-a",
        "creationTimestamp": null
      },
      "spec": {},
      "status": {}
    }
  },
  {
    "name": "serviceaccount",
    "args": [
      "create",
      "serviceaccount",
      "builder",
      "-n",
      "default"
    ],
    "apiVersion": "v1",
    "kind": "ServiceAccount",
    "body": "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSIAoeCgdidWlsZGVyEgAaB2RlZmF1bHQiACoAMgA4AEIAGgAiAA==",
    "json": {
      "kind": "ServiceAccount",
      "apiVersion": "v1",
      "metadata": {
        "name": "builder",
        "namespace": "default",
        "creationTimestamp": null
      }
    }
  },
  {
    "name": "service clusterip",
    "args": [
      "create",
      "service",
      "clusterip",
      "svc1",
      "--tcp=80:8080",
      "--tcp=443:https",
      "-n",
      "default"
    ],
    "apiVersion": "v1",
    "kind": "Service",
    "body": "azhzAAoNCgJ2MRIHU2VydmljZRKXAQooCgRzdmMxEgAaB2RlZmF1bHQiACoAMgA4AEIAWgsKA2FwcBIEc3ZjMRJnChsKBzgwLTgwODASA1RDUBhQIgcIABCQPxoAKAAKIgoJNDQzLWh0dHBzEgNUQ1AYuwMiCwgBEAAaBWh0dHBzKAASCwoDYXBwEgRzdmMxGgAiCUNsdXN0ZXJJUDoAQgBSAFoAYABoABoCCgAaACIA",
    "json": {
      "kind": "Service",
      "apiVersion": "v1",
      "metadata": {
        "name": "svc1",
        "namespace": "default",
        "creationTimestamp": null,
        "labels": {
          "app": "svc1"
        }
      },
      "spec": {
        "ports": [
          {
            "name": "80-8080",
            "protocol": "TCP",
            "port": 80,
            "targetPort": 8080
          },
          {
            "name": "443-https",
            "protocol": "TCP",
            "port": 443,
            "targetPort": "https"
          }
        ],
        "selector": {
          "app": "svc1"
        },
        "type": "ClusterIP"
      },
      "status": {
        "loadBalancer": {}
      }
    }
  }
];
