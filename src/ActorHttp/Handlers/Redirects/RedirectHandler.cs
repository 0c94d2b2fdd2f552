using System.Net;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Handlers.Redirects;

/// <summary>Answers every request of its route with the rule's redirect, and a tiny page for clients that do not follow it.</summary>
public sealed class RedirectHandler(RedirectRule rule) : HttpHandlerActor
{
    public static Props Props(RedirectRule rule) => Akka.Actor.Props.Create(() => new RedirectHandler(rule));

    protected override void OnRequest(RequestContext context)
    {
        var rest = context.Request.RouteValues.TryGetValue("rest", out var value) ? value : string.Empty;
        var location = rule.LocationFor(rest, context.Request.Query);
        var encoded = WebUtility.HtmlEncode(location);
        context.Respond(HttpResponse.Text(
                rule.Status,
                $"<!doctype html><title>{rule.Status} {StatusCodes.ReasonPhrase(rule.Status)}</title><p>Moved to <a href=\"{encoded}\">{encoded}</a>.</p>\n",
                "text/html; charset=utf-8")
            .WithHeader("Location", location));
    }
}
