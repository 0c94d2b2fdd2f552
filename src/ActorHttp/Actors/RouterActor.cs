using ActorHttp.Protocol;
using ActorHttp.Routing;
using Akka.Actor;

namespace ActorHttp.Actors;

/// <summary>A route as registered: which methods, which path template, which handler, how many of it.</summary>
public sealed record RouteRegistration(IReadOnlyList<string>? Methods, string Template, Props HandlerProps, int? Instances = null);

/// <summary>
/// Matches each request against the route table and forwards it to the route's supervisor, keeping
/// the connection as the sender so the handler answers the connection directly. What no route
/// serves it answers itself: 404, 405 with <c>Allow</c>, 501, and <c>OPTIONS</c>.
/// </summary>
public sealed class RouterActor : ReceiveActor
{
    private readonly RouteTable<IActorRef> _table;

    public RouterActor(IReadOnlyList<RouteRegistration> routes, SupervisionSettings supervision)
    {
        var definitions = new List<RouteDefinition<IActorRef>>(routes.Count);
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var instances = route.Instances ?? supervision.HandlerInstances;
            var supervisor = Context.ActorOf(RouteSupervisorActor.Props(route.HandlerProps, instances, supervision, route.Template), $"route-{i}");
            definitions.Add(new RouteDefinition<IActorRef>(route.Methods, route.Template, supervisor));
        }

        _table = new RouteTable<IActorRef>(definitions);
        Receive<HandleRequest>(Route);
    }

    public static Props Props(IReadOnlyList<RouteRegistration> routes, SupervisionSettings supervision) =>
        Akka.Actor.Props.Create(() => new RouterActor(routes, supervision));

    private void Route(HandleRequest message)
    {
        var request = message.Request;
        var match = _table.Match(request.Method, request.Path);
        switch (match.Kind)
        {
            case RouteMatchKind.Found:
                var routed = match.Values.Count == 0 ? message : message with { Request = request with { RouteValues = match.Values } };
                match.Target!.Tell(routed, message.Connection);
                break;
            case RouteMatchKind.NotFound:
                Answer(message, HttpResponse.Text(404, $"No resource at {request.Path}.\n"));
                break;
            case RouteMatchKind.MethodNotAllowed:
                Answer(message, HttpResponse.Text(405, $"{request.Method} is not allowed on {request.Path}.\n")
                    .WithHeader("Allow", string.Join(", ", match.AllowedMethods)));
                break;
            case RouteMatchKind.Options:
                Answer(message, HttpResponse.Empty(204).WithHeader("Allow", string.Join(", ", match.AllowedMethods)));
                break;
            case RouteMatchKind.NotImplemented:
                Answer(message, HttpResponse.Text(501, $"The method {request.Method} is not implemented by this server.\n"));
                break;
        }
    }

    private static void Answer(HandleRequest message, HttpResponse response) =>
        message.Connection.Tell(new ResponseReady(message.Sequence, response));
}
