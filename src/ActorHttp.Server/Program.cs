using System.Net.Sockets;
using ActorHttp.Hosting;
using ActorHttp.Server.Logging;
using Akka.Configuration;
using Microsoft.Extensions.Hosting;

CommandLine commandLine;
try
{
    commandLine = CommandLine.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

if (commandLine.ShowHelp)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

ActorHttpServer server;
try
{
    server = await ActorHttpServer.StartAsync(new ServerOptions
    {
        ConfigFiles = commandLine.ConfigFiles,
        Host = commandLine.Host,
        Port = commandLine.Port,
        StaticRoot = commandLine.Root,
        Model = commandLine.Model,
        DemoRoutes = commandLine.Demo,
        Logging = new ConsoleLogging(),
    });
}
catch (Exception error) when (error is ConfigurationException or FileNotFoundException or SocketException or ArgumentException)
{
    Console.Error.WriteLine($"ActorHttp could not start: {error.Message}");
    return 1;
}

// Scripts and tests wait for exactly this line, with the real port.
var host = server.Endpoint.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{server.Settings.Host}]" : server.Settings.Host;
Console.WriteLine($"Listening on http://{host}:{server.Endpoint.Port}");

// Ctrl+C and SIGTERM stop the host, which drains (CoordinatedShutdown for the actors, the model
// server's StopAsync for the others): stop accepting, drain, close.
await server.Host.WaitForShutdownAsync();
server.Host.Dispose();
return 0;
