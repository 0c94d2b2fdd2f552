using ActorHttp.Handlers;
using ActorHttp.Protocol;
using Akka.Actor;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorHttp.Observability;

/// <summary>Which question a health route answers.</summary>
public enum HealthProbe
{
    /// <summary><c>/healthz</c>: is the process alive (the actor system running)?</summary>
    Live,

    /// <summary><c>/readyz</c>: should it be sent traffic (started, not draining)?</summary>
    Ready,
}

/// <summary>
/// Answers a health route with the report of the application's <see cref="HealthCheckService"/>,
/// filtered to the checks tagged for <paramref name="probe"/> (the server registers its own through
/// Akka.Hosting's <c>WithHealthCheck</c>; an application may add more under the same tags): 200 when
/// healthy or degraded, 503 when unhealthy, and the report as text (one line per check).
/// </summary>
/// <param name="checks">The application's health check service; null when it registered none, and then the server's own state alone answers.</param>
public sealed class HealthHandler(HealthProbe probe, HealthCheckService? checks, ServerReadiness readiness) : HttpHandlerActor
{
    public const string LiveTag = "actorhttp-live";
    public const string ReadyTag = "actorhttp-ready";

    public static Props Props(HealthProbe probe, HealthCheckService? checks, ServerReadiness readiness) =>
        Akka.Actor.Props.Create(() => new HealthHandler(probe, checks, readiness));

    /// <summary>The server's own readiness as a health check result.</summary>
    public static HealthCheckResult ReadinessResult(ServerReadiness readiness) => readiness.State switch
    {
        ReadinessState.Serving => HealthCheckResult.Healthy("serving"),
        ReadinessState.Starting => HealthCheckResult.Unhealthy("starting"),
        _ => HealthCheckResult.Unhealthy("draining: the server is shutting down"),
    };

    protected override void OnRequest(RequestContext context)
    {
        if (checks is null)
        {
            var result = probe == HealthProbe.Live ? HealthCheckResult.Healthy("alive") : ReadinessResult(readiness);
            context.Respond(Answer(result.Status, [(probe == HealthProbe.Live ? "actorhttp-live" : "actorhttp-ready", result.Status, result.Description)]));
            return;
        }

        var tag = probe == HealthProbe.Live ? LiveTag : ReadyTag;
        RespondAsync(context, Check(checks, tag));
    }

    private static async Task<HttpResponse> Check(HealthCheckService checks, string tag)
    {
        var report = await checks.CheckHealthAsync(registration => registration.Tags.Contains(tag)).ConfigureAwait(false);
        return Answer(report.Status, [.. report.Entries.Select(e => (e.Key, e.Value.Status, e.Value.Description))]);
    }

    private static HttpResponse Answer(HealthStatus status, IEnumerable<(string Name, HealthStatus Status, string? Description)> entries)
    {
        var text = new System.Text.StringBuilder(status.ToString()).Append('\n');
        foreach (var (name, entryStatus, description) in entries)
        {
            text.Append(name).Append(": ").Append(entryStatus);
            if (!string.IsNullOrEmpty(description))
            {
                text.Append(" (").Append(description).Append(')');
            }

            text.Append('\n');
        }

        // Probes poll: an answer must never be served from a cache.
        return HttpResponse.Text(status == HealthStatus.Unhealthy ? 503 : 200, text.ToString())
            .WithHeader("Cache-Control", "no-store");
    }
}
