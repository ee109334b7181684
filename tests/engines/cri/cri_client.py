#!/usr/bin/python3
"""cri_client.py: a small CRI (runtime.v1) client over containerd's gRPC
socket, to drive the CRI plugin the way the kubelet does (tests/engines/
cri.bats, bench/cri.sh). No kubelet, no crictl.

  cri_client.py [--socket PATH] [--timeout S] METHOD [JSON|-]
      Call RuntimeService/METHOD (or ImageService/METHOD); the request is
      the protobuf JSON form of the message (field names as in cri.proto),
      from the argument or stdin ("-"); default {}. Prints the response as
      one JSON object (proto field names, defaults included; ExecSync's
      stdout/stderr as text). A gRPC error: "CODE: details" on stderr,
      exit 2.
  cri_client.py [--socket PATH] podstart ITERATIONS HANDLER POD.json CTR.json
      Bench: ITERATIONS times, time RunPodSandbox + CreateContainer +
      StartContainer (handler HANDLER; POD.json a PodSandboxConfig whose
      metadata.uid/name get a suffix per iteration, CTR.json a
      ContainerConfig), then stop and remove the pod (not timed). Prints
      one line per iteration: milliseconds.

The Python stubs are generated from cri.proto (next to this file) with
grpc_tools.protoc into $CRI_PY_DIR (made when missing; default a temporary
directory removed at exit). Needs Debian's python3-grpcio and
python3-grpc-tools.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_stubs():
    gen = os.environ.get("CRI_PY_DIR")
    tmp = None
    if not gen:
        gen = tmp = tempfile.mkdtemp(prefix="cri-py.")
    if not os.path.exists(os.path.join(gen, "cri_pb2_grpc.py")):
        from grpc_tools import protoc
        os.makedirs(gen, exist_ok=True)
        rc = protoc.main(["protoc", "-I" + HERE, "--python_out=" + gen,
                          "--grpc_python_out=" + gen,
                          os.path.join(HERE, "cri.proto")])
        if rc != 0:
            sys.exit("cri_client: protoc failed on cri.proto (%d)" % rc)
    sys.path.insert(0, gen)
    import cri_pb2
    import cri_pb2_grpc
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return cri_pb2, cri_pb2_grpc


def main():
    ap = argparse.ArgumentParser(description="CRI runtime.v1 client")
    ap.add_argument("--socket", default=os.environ.get(
        "CRI_SOCKET", "/run/containerd/containerd.sock"))
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("method")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()

    import grpc
    from google.protobuf import json_format
    pb, pb_grpc = load_stubs()
    ch = grpc.insecure_channel("unix://" + a.socket)
    rt = pb_grpc.RuntimeServiceStub(ch)
    im = pb_grpc.ImageServiceStub(ch)

    if a.method == "podstart":
        return podstart(a, pb, rt, json_format)

    svc = pb.DESCRIPTOR.services_by_name
    if a.method in svc["RuntimeService"].methods_by_name:
        stub, m = rt, svc["RuntimeService"].methods_by_name[a.method]
    elif a.method in svc["ImageService"].methods_by_name:
        stub, m = im, svc["ImageService"].methods_by_name[a.method]
    else:
        sys.exit("cri_client: unknown method %s" % a.method)
    text = a.args[0] if a.args else "{}"
    if text == "-":
        text = sys.stdin.read()
    req = getattr(pb, m.input_type.name)()
    json_format.Parse(text, req)
    try:
        resp = getattr(stub, a.method)(req, timeout=a.timeout)
    except grpc.RpcError as e:
        print("%s: %s" % (e.code().name, e.details()), file=sys.stderr)
        return 2
    out = json_format.MessageToDict(resp, preserving_proto_field_name=True,
                                    including_default_value_fields=True)
    if a.method == "ExecSync":
        out["stdout"] = resp.stdout.decode("utf-8", "replace")
        out["stderr"] = resp.stderr.decode("utf-8", "replace")
    print(json.dumps(out, sort_keys=True))
    return 0


def podstart(a, pb, rt, json_format):
    n, handler, podf, ctrf = int(a.args[0]), a.args[1], a.args[2], a.args[3]
    with open(podf) as f:
        pod_tmpl = json.load(f)
    with open(ctrf) as f:
        ctr_tmpl = json.load(f)
    for i in range(n):
        pod = json.loads(json.dumps(pod_tmpl))
        pod["metadata"]["name"] += "-%d" % i
        pod["metadata"]["uid"] += "-%d" % i
        pcfg = json_format.ParseDict(pod, pb.PodSandboxConfig())
        ccfg = json_format.ParseDict(ctr_tmpl, pb.ContainerConfig())
        t0 = time.monotonic()
        sid = rt.RunPodSandbox(pb.RunPodSandboxRequest(
            config=pcfg, runtime_handler=handler), timeout=a.timeout).pod_sandbox_id
        cid = rt.CreateContainer(pb.CreateContainerRequest(
            pod_sandbox_id=sid, config=ccfg, sandbox_config=pcfg),
            timeout=a.timeout).container_id
        rt.StartContainer(pb.StartContainerRequest(container_id=cid),
                          timeout=a.timeout)
        t1 = time.monotonic()
        print("%.1f" % ((t1 - t0) * 1000.0), flush=True)
        rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=sid),
                          timeout=a.timeout)
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=sid),
                            timeout=a.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
