using System.Globalization;
using System.Text;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// <c>GET /counter</c>: counts the requests served and answers the count as JSON. The count lives in
/// <paramref name="counter"/>, chosen by the model; the actor model keeps it in a handler actor
/// instead and answers with <see cref="Answer"/>.
/// </summary>
public sealed class CounterRequestHandler(IRequestCounter counter) : RequestHandler
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> JsonHeaders = [new("Content-Type", "application/json")];

    public override HttpResponse Handle(HttpRequest request) => Answer(counter.Increment());

    /// <summary>The answer for a count: <c>{"count":N}</c>.</summary>
    public static HttpResponse Answer(long count) => new()
    {
        StatusCode = 200,
        Headers = JsonHeaders,
        Body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"count":{{count}}}""")),
    };
}
