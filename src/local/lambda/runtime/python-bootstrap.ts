/**
 * svl's Lambda runtime client for `python3.*` functions, written next to the extracted code and run with
 * the local `python3 -u`. Like AWS's awslambdaric it imports `module.function` from `_HANDLER` (with `/`
 * in the module path), loops on the Runtime API and reports errors as
 * `{"errorMessage","errorType","requestId","stackTrace"}`; the context object has AWS's attribute names.
 */
export const PYTHON_BOOTSTRAP = String.raw`
import importlib, json, os, sys, time, traceback, urllib.request, logging

API = "http://" + os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001") + "/2018-06-01/runtime"
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
sys.path.insert(0, TASK_ROOT)
os.chdir(TASK_ROOT)
CURRENT = {"id": None}


def call(method, path, body=None, headers=None):
    data = None if body is None else body.encode("utf-8")
    req = urllib.request.Request(API + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=None) as res:
        return res.status, dict(res.headers), res.read().decode("utf-8")


def error_payload(exc, request_id=None):
    tb = traceback.extract_tb(exc.__traceback__)
    out = {"errorMessage": str(exc), "errorType": type(exc).__name__}
    if request_id:
        out["requestId"] = request_id
    out["stackTrace"] = traceback.format_list(tb)
    return out


class LambdaLogFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = CURRENT["id"] or ""
        return True


handler_logging = logging.StreamHandler(sys.stdout)
handler_logging.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
handler_logging.addFilter(LambdaLogFilter())
logging.Formatter.converter = time.gmtime
root = logging.getLogger()
root.addHandler(handler_logging)
root.setLevel(logging.WARNING)


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        cc = headers.get("Lambda-Runtime-Client-Context")
        self.client_context = json.loads(cc) if cc else None
        ci = headers.get("Lambda-Runtime-Cognito-Identity")
        self.identity = json.loads(ci) if ci else None
        self._deadline = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline - int(time.time() * 1000))


def load():
    spec = os.environ.get("_HANDLER", "")
    if "." not in spec:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec)
    modname, fname = spec.rsplit(".", 1)
    modname = modname.replace("/", ".")
    try:
        mod = importlib.import_module(modname)
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e))
    fn = getattr(mod, fname, None)
    if fn is None:
        raise InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def main():
    try:
        fn = load()
    except InitError as e:
        payload = {"errorMessage": str(e), "errorType": e.error_type, "stackTrace": []}
        print("[ERROR] %s: %s" % (e.error_type, e), flush=True)
        call("POST", "/init/error", json.dumps(payload), {"Lambda-Runtime-Function-Error-Type": e.error_type})
        sys.exit(1)
    except Exception as e:
        payload = error_payload(e)
        call("POST", "/init/error", json.dumps(payload), {"Lambda-Runtime-Function-Error-Type": payload["errorType"]})
        sys.exit(1)
    while True:
        _, headers, body = call("GET", "/invocation/next")
        headers = {k.title(): v for k, v in headers.items()}
        rid = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        CURRENT["id"] = rid
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id", "")
        try:
            event = json.loads(body)
        except ValueError:
            event = body
        try:
            result = fn(event, Context(headers))
            out = json.dumps(result)
        except Exception as e:
            payload = error_payload(e, rid)
            print("[ERROR] %s: %s" % (payload["errorType"], payload["errorMessage"]), flush=True)
            sys.stdout.flush()
            call("POST", "/invocation/%s/error" % rid, json.dumps(payload), {"Lambda-Runtime-Function-Error-Type": payload["errorType"]})
        else:
            sys.stdout.flush()
            call("POST", "/invocation/%s/response" % rid, out)
        CURRENT["id"] = None


main()
`;
