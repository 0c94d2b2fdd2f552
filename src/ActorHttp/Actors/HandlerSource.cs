using ActorHttp.Hosting;
using Akka.Actor;
using Akka.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;

namespace ActorHttp.Actors;

/// <summary>
/// Where a route's handler actors come from: <see cref="Props"/> the caller built (a <c>Props</c>
/// converts to this implicitly), or a handler type built from the application's services when the
/// server starts (<see cref="FromServices{THandler}"/>), which is when the container exists.
/// </summary>
public abstract class HandlerSource
{
    private protected HandlerSource()
    {
    }

    /// <summary>What the route's supervisor creates its handlers from; resolved once, when the router starts.</summary>
    internal abstract Props PropsFor(ActorSystem system);

    public static implicit operator HandlerSource(Props props) => new FixedProps(props);

    /// <summary>
    /// Handlers of type <typeparamref name="THandler"/>, their constructor's parameters taken from the
    /// application's <see cref="IServiceProvider"/> (the one Akka.Hosting gave the actor system), each
    /// instance in a service scope of its own that a restart replaces (see <see cref="ServiceScopedActorProducer"/>).
    /// </summary>
    public static HandlerSource FromServices<THandler>()
        where THandler : ActorBase => new FromServiceProvider(typeof(THandler));

    private sealed class FixedProps(Props props) : HandlerSource
    {
        internal override Props PropsFor(ActorSystem system) => props;

        public override string ToString() => props.Type?.Name ?? "props";
    }

    private sealed class FromServiceProvider(Type handlerType) : HandlerSource
    {
        internal override Props PropsFor(ActorSystem system)
        {
            IServiceScopeFactory scopes;
            try
            {
                scopes = DependencyResolver.For(system).Resolver.GetService<IServiceScopeFactory>();
            }
            catch (Akka.Configuration.ConfigurationException error)
            {
                throw new InvalidOperationException(
                    $"The handler {handlerType.Name} is built from the application's services, but the actor system has none: "
                    + "start it with Akka.Hosting (services.AddAkka(...).WithActorHttpServer(...)) or with a DependencyResolverSetup.", error);
            }

            return Props.CreateBy(new ServiceScopedActorProducer(scopes, handlerType));
        }

        public override string ToString() => handlerType.Name;
    }
}
