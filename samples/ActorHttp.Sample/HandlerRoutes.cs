using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using ActorHttp.Hosting;
using ActorHttp.Protocol;

/// <summary>
/// The routes of the README's "Writing handlers" sections, as they are quoted there: the sample's
/// program serves them, and ActorHttp.Sample.Tests requests each over HTTP.
/// </summary>
public static class HandlerRoutes
{
    /// <param name="reportPath">The CSV file <c>GET /report.csv</c> streams.</param>
    public static RouteBuilder Map(RouteBuilder routes, UserDirectory users, string reportPath)
    {
        HandlersFromServices(routes);
        Functions(routes, users);
        QueryValues(routes);
        Streaming(routes, reportPath);
        RequestBodies(routes);
        return routes;
    }

    private static void HandlersFromServices(RouteBuilder routes)
    {
        routes.MapGet<ForecastHandler>("/weather/{city}");   // also MapPost<T>, MapPut<T>, MapDelete<T>, MapAny<T>, Map<T>(methods, …)
    }

    private static void Functions(RouteBuilder routes, UserDirectory users)
    {
        routes.MapGet("/hi", ctx => HttpResponse.Text(200, "hi"));
        routes.MapGet("/users/{id:int}", async (ctx, cancellationToken) =>
        {
            var user = await users.FindAsync(int.Parse(ctx.Request.RouteValues["id"]), cancellationToken);
            return user is null ? HttpResponse.Text(404, "no such user\n") : HttpResponse.Text(200, user.Name);
        });
    }

    private static void QueryValues(RouteBuilder routes)
    {
        routes.MapGet("/search", ctx =>
        {
            var q = ctx.Request.QueryValues;
            var tags = q.TryGetValue("tag", out var given) ? given.ToArray() : [];   // ?tag=a&tag=b
            return HttpResponse.Text(200, $"{q["q"]} in {string.Join(",", tags)}");
        });
    }

    private static void Streaming(RouteBuilder routes, string reportPath)
    {
        routes.MapGet("/report.csv", ctx => HttpResponse.StreamBody(200, File.OpenRead(reportPath), "text/csv"));
        routes.MapGet("/ticks", ctx => HttpResponse.StreamBody(200, Ticks(), "text/plain"));
        routes.MapGet("/numbers", ctx =>
        {
            var pipe = new Pipe();
            _ = WriteNumbersAsync(pipe.Writer);   // fills the pipe while the client reads: a write waits while the pipe is full
            return HttpResponse.StreamBody(200, pipe.Reader, "text/plain");
        });

        static async IAsyncEnumerable<ReadOnlyMemory<byte>> Ticks([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < 1000; i++)
            {
                await Task.Delay(100, cancellationToken);
                yield return Encoding.UTF8.GetBytes($"tick {i}\n");
            }
        }

        static async Task WriteNumbersAsync(PipeWriter writer)
        {
            for (var i = 0; i < 100_000; i++)
            {
                var flush = await writer.WriteAsync(Encoding.UTF8.GetBytes($"{i}\n"));
                if (flush.IsCompleted) break;   // the client went away: the connection completed the reader
            }

            await writer.CompleteAsync();
        }
    }

    private static void RequestBodies(RouteBuilder routes)
    {
        routes.Map<HashingHandler>(["POST"], "/hash", streamedBodyLimit: 1L << 30);
    }
}
