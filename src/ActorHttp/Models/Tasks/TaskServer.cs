using System.Net;
using System.Net.Sockets;
using ActorHttp.Actors;
using ActorHttp.Handlers.Shared;
using ActorHttp.Hosting;
using ActorHttp.Protocol;

namespace ActorHttp.Models.Tasks;

/// <summary>
/// The <c>tasks</c> model, Kestrel's on our core: one async loop per connection on the .NET thread
/// pool, handlers awaited on the pool (see <see cref="TaskConnection"/>). A waiting connection holds
/// no thread, only its loop's state.
/// </summary>
internal sealed class TaskServer(Socket listenSocket, ServerSettings settings, Func<HttpRequest, ResolvedRequest> routes, Serilog.ILogger log, AccessLogWriter? accessLog)
    : ModelServer(listenSocket, settings, routes, log, accessLog)
{
    private protected override ModelConnection Connect(Socket socket, long connectionId, IPAddress? client) =>
        new TaskConnection(this, socket, connectionId, client);

    private protected override void Start(ModelConnection connection) => ((TaskConnection)connection).Start();
}
