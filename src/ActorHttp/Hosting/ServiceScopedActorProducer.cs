using System.Collections.Concurrent;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;

namespace ActorHttp.Hosting;

/// <summary>
/// Builds each incarnation of a handler actor from the application's services, in a service scope
/// of its own: the constructor's scoped services (a DbContext, a unit of work) belong to that
/// instance alone, and the scope is disposed when Akka releases the instance, on a restart after a
/// crash as on a stop. So a crash also throws away whatever scoped state the failure may have left
/// broken, and the restarted handler starts with fresh scoped services; singletons are shared.
/// </summary>
/// <remarks>
/// Akka.DependencyInjection's own producer builds from the root provider and releases nothing, which
/// would turn scoped services into process-wide ones; the construction itself is the same
/// (<see cref="ActivatorUtilities"/>). One producer serves every handler instance of a route, each
/// on its own thread, hence the concurrent map.
/// </remarks>
internal sealed class ServiceScopedActorProducer(IServiceScopeFactory scopes, Type actorType) : IIndirectActorProducer
{
    private readonly ConcurrentDictionary<ActorBase, IServiceScope> _scopes = new(ReferenceEqualityComparer.Instance);

    public Type ActorType { get; } = actorType;

    public ActorBase Produce()
    {
        var scope = scopes.CreateScope();
        try
        {
            var actor = (ActorBase)ActivatorUtilities.CreateInstance(scope.ServiceProvider, ActorType);
            _scopes[actor] = scope;
            return actor;
        }
        catch
        {
            // The constructor (or a service it needed) failed: no instance will ever release the scope.
            scope.Dispose();
            throw;
        }
    }

    public void Release(ActorBase actor)
    {
        if (_scopes.TryRemove(actor, out var scope))
        {
            scope.Dispose();
        }
    }
}
