using System.Text;
using ActorHttp.Handlers.Shared;
using ActorHttp.Models;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Models;

/// <summary>
/// The routes the model tests serve, written as the study's shared handlers are (a synchronous and an
/// asynchronous form each), so the tests pin down each host's behaviour without depending on them:
/// <c>/hello</c>, <c>/count</c>, <c>/crash</c> (<c>?async=1</c>: fails after an await),
/// <c>/slow?ms=N</c> (sleeps in the synchronous form, awaits a delay in the asynchronous one; the
/// body is the query, so answers can be told apart), <c>/block?ms=N</c> (blocks its thread in both
/// forms), <c>/stream?size=N</c> (a streamed body of N bytes; <c>&amp;fail=1</c>: the stream fails
/// halfway). Anything else is 404.
/// </summary>
public sealed class ModelTestRoutes
{
    private readonly Dictionary<string, IRequestHandler> _handlers;

    /// <param name="model">Picks the counter: a plain field where one thread makes every call (one event loop), an atomic one elsewhere.</param>
    public ModelTestRoutes(ConcurrencyModel model)
    {
        _handlers = new Dictionary<string, IRequestHandler>
        {
            ["/hello"] = new Answering(_ => HttpResponse.Text(200, "Hello, World!")),
            ["/count"] = new Answering(new ModelSettings().CallsHandlersFromOneThread(model) ? PlainCount() : AtomicCount()),
            ["/crash"] = new CrashHandler(),
            ["/slow"] = new SlowHandler(),
            ["/block"] = new Answering(request =>
            {
                BlocksStarted.Release();
                Thread.Sleep(Milliseconds(request));
                return HttpResponse.Text(200, request.Query);
            }),
            ["/stream"] = new Answering(Stream),
        };
    }

    /// <summary>Released as each <c>/block</c> starts blocking, so a test knows the thread (or loop) is held.</summary>
    public SemaphoreSlim BlocksStarted { get; } = new(0);

    public ResolvedRequest Resolve(HttpRequest request) => new(request, _handlers.GetValueOrDefault(request.Path) ?? NotFound);

    /// <summary>The bytes <c>/stream?size=N</c> sends: a pattern, so a byte out of place shows.</summary>
    public static byte[] StreamBody(int size)
    {
        var body = new byte[size];
        for (var i = 0; i < size; i++)
        {
            body[i] = (byte)(i % 251);
        }

        return body;
    }

    private static readonly IRequestHandler NotFound = new Answering(request => HttpResponse.Text(404, $"No test route at {request.Path}.\n"));

    private static Func<HttpRequest, HttpResponse> PlainCount()
    {
        long count = 0;
        return _ => HttpResponse.Text(200, (++count).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Func<HttpRequest, HttpResponse> AtomicCount()
    {
        long count = 0;
        return _ => HttpResponse.Text(200, Interlocked.Increment(ref count).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static HttpResponse Stream(HttpRequest request)
    {
        var size = int.Parse(Parameter(request, "size") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var body = StreamBody(size);
        return new HttpResponse
        {
            StatusCode = 200,
            Headers = [new("Content-Type", "application/octet-stream")],
            Streamed = true,
            StreamLength = size,
            BodyStream = Parameter(request, "fail") == "1" ? new FailingHalfwayStream(body) : new MemoryStream(body),
        };
    }

    private static int Milliseconds(HttpRequest request) => int.Parse(Parameter(request, "ms") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Parameter(HttpRequest request, string name) =>
        request.Query.Split('&').Select(pair => pair.Split('=', 2)).FirstOrDefault(pair => pair[0] == name && pair.Length == 2)?[1];

    /// <summary>A handler whose work does not wait: the asynchronous form runs the synchronous one.</summary>
    private sealed class Answering(Func<HttpRequest, HttpResponse> answer) : IRequestHandler
    {
        public HttpResponse Handle(HttpRequest request) => answer(request);

        public ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(answer(request));
    }

    private sealed class CrashHandler : IRequestHandler
    {
        public HttpResponse Handle(HttpRequest request) => throw new InvalidOperationException("The test's /crash fails on purpose.");

        public async ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            if (Parameter(request, "async") == "1")
            {
                await Task.Yield();
            }

            throw new InvalidOperationException("The test's /crash fails on purpose.");
        }
    }

    private sealed class SlowHandler : IRequestHandler
    {
        public HttpResponse Handle(HttpRequest request)
        {
            Thread.Sleep(Milliseconds(request));
            return HttpResponse.Text(200, request.Query);
        }

        public async ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            await Task.Delay(Milliseconds(request), cancellationToken);
            return HttpResponse.Text(200, request.Query);
        }
    }

    /// <summary>Gives the first half of its body, then fails, as a file on a failing disk would.</summary>
    private sealed class FailingHalfwayStream(byte[] body) : MemoryStream(body, 0, body.Length / 2)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, count) is > 0 and var read ? read : throw new IOException("The test stream fails halfway on purpose.");

        public override int Read(Span<byte> buffer) =>
            base.Read(buffer) is > 0 and var read ? read : throw new IOException("The test stream fails halfway on purpose.");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
