using ActorHttp.Hosting;
using ActorHttpApp;
using Microsoft.Extensions.Hosting;
using Serilog;

var logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
var port = args.Length > 0 && int.TryParse(args[0], out var given) ? given : 8080;

await using var server = await ActorHttpServer.StartAsync(new ServerOptions
{
    Host = "127.0.0.1",
    Port = port,
    Logger = logger,
    // Handlers mapped by type are built from the server's services: give them constructor parameters
    // and register those with ConfigureServices = services => services.AddSingleton(...).
    Routes = routes => routes.MapGet<HelloHandler>("/hello/{name}"),
});

Console.WriteLine($"Listening on http://127.0.0.1:{server.Endpoint.Port}");
// Ctrl+C or SIGTERM: the server stops accepting, finishes the requests it has, and exits.
await server.Host.WaitForShutdownAsync();
