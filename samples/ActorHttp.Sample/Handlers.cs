using ActorHttp.Handlers;
using ActorHttp.Protocol;
using Akka.Event;   // Log.Info and the other ILoggingAdapter extensions

public sealed class GreetingHandler : HttpHandlerActor
{
    private int _greeted;   // actors may keep state: one message at a time

    protected override void OnRequest(RequestContext context)
    {
        var name = context.Request.RouteValues["name"];
        Log.Info("Greeting {Name}", name);
        context.Respond(HttpResponse.Text(200, $"Hello, {name}! You are visitor {++_greeted}."));
    }
}

public sealed class WeatherHandler : HttpHandlerActor
{
    // Async work: the task's result goes straight to the connection; a failure becomes a 500.
    protected override void OnRequest(RequestContext context) =>
        RespondAsync(context, FetchAsync(context.Request.Query));

    private static async Task<HttpResponse> FetchAsync(string query)
    {
        await Task.Yield();   // stands for the real I/O: a database, an HTTP API
        return HttpResponse.Text(200, $"Sunny ({query})");
    }
}
