using System.Text.Json.Serialization;
using Microsoft.Extensions.FileProviders;

// Answers what ActorHttp's demo answers: /hello, /json, /counter, and static files from --root.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJsonContext.Default));
var app = builder.Build();
long served = 0;

app.MapGet("/hello", () => Results.Text("Hello, World!"));
app.MapGet("/json", () => Results.Json(new HelloMessage("Hello, World!"), PeerJsonContext.Default.HelloMessage));
app.MapGet("/counter", () => Results.Json(new Count(Interlocked.Increment(ref served)), PeerJsonContext.Default.Count));
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
