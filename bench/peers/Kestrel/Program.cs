using System.Text.Json.Serialization;
using Microsoft.Extensions.FileProviders;

// Answers what ActorHttp's demo answers: /hello, /json, /counter, /echo (reads the body), /crash,
// the concurrency study's /slow, /cpu and /block, and static files from --root.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJsonContext.Default));
var app = builder.Build();
long served = 0;

app.MapGet("/hello", () => Results.Text("Hello, World!"));
app.MapGet("/json", () => Results.Json(new HelloMessage("Hello, World!"), PeerJsonContext.Default.HelloMessage));
app.MapGet("/counter", () => Results.Json(new Count(Interlocked.Increment(ref served)), PeerJsonContext.Default.Count));

// The attack bench's routes: a body reader for the slow-body attack, and a handler that throws
// (Kestrel answers 500) unless asked not to with fail=0, for the crash attack.
app.MapPost("/echo", async (HttpRequest request) =>
{
    var buffer = new byte[8192];
    long length = 0;
    int read;
    while ((read = await request.Body.ReadAsync(buffer)) > 0)
    {
        length += read;
    }

    return Results.Text($"{length} bytes");
});
app.MapGet("/crash", (string? fail) => fail == "0" ? Results.Text("not crashed") : throw new InvalidOperationException("The /crash route fails on purpose."));

// The concurrency study's routes (study/run), as ActorHttp's shared handlers do them: /slow awaits a
// timer (no thread held), /cpu hashes with SHA-256 on the request's thread for N µs, /block holds
// its thread-pool thread with a synchronous wait (the sync-over-async mistake, on purpose).
app.MapGet("/slow", async (int? ms) =>
{
    await Task.Delay(Math.Clamp(ms ?? 1000, 0, 60_000));
    return Results.Text("Slept.\n");
});
app.MapGet("/cpu", (int? us) =>
{
    var duration = TimeSpan.FromMicroseconds(Math.Clamp(us ?? 1000, 0, 1_000_000));
    Span<byte> digest = stackalloc byte[System.Security.Cryptography.SHA256.HashSizeInBytes];
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    long hashes = 0;
    while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < duration)
    {
        System.Security.Cryptography.SHA256.HashData(digest, digest);
        hashes++;
    }

    return Results.Text($"Computed {hashes} SHA-256 hashes.\n");
});
app.MapGet("/block", (int? ms) =>
{
    var delay = Math.Clamp(ms ?? 50, 0, 60_000);
    Task.Delay(delay).Wait();
    return Results.Text($"Blocked a thread for {delay} ms.\n");
});

if (app.Configuration["root"] is { } root)
{
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Path.GetFullPath(root)), ServeUnknownFileTypes = true });
}

app.Run();

internal sealed record HelloMessage([property: JsonPropertyName("message")] string Message);

internal sealed record Count([property: JsonPropertyName("count")] long Value);

[JsonSerializable(typeof(HelloMessage))]
[JsonSerializable(typeof(Count))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
