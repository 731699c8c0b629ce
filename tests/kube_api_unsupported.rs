//! A build without the `k8s` cargo feature refuses `--kube-api` as a usage error that says why,
//! instead of silently scanning without the cluster objects.
#![cfg(not(feature = "k8s"))]

use assert_cmd::Command;

#[test]
fn kube_api_says_the_build_lacks_kubernetes_api_support() {
    let out = Command::cargo_bin("threatbench")
        .unwrap()
        .args(["scan", "--kube-api"])
        .env_remove("DOCKER_HOST")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("built without Kubernetes API support")
            && stderr.contains("--cluster-dump"),
        "{stderr}"
    );
}
