using System.Text;
using ActorHttp.Actors;
using ActorHttp.Protocol;
using Akka.Actor;

namespace ActorHttp.Handlers.Auth;

/// <summary>A request to a protected path, on its way to <paramref name="Target"/> once its credentials pass <paramref name="Rule"/>.</summary>
public sealed record AuthenticateRequest(HandleRequest Request, AuthRule Rule, IActorRef Target);

/// <summary>
/// Checks credentials for protected routes, so the router never spends a password hash's CPU time:
/// no or wrong credentials → 401 with a <c>WWW-Authenticate</c> challenge per allowed scheme
/// (RFC 9110 §11.6.1); a known user without the rule's roles → 403; otherwise the request goes on
/// to the route's handler with the user attached. Verified credentials are remembered (bounded), so
/// a keep-alive client pays the deliberate cost of PBKDF2 once.
/// </summary>
public sealed class AuthenticationActor : ReceiveActor
{
    private const int RememberedCredentials = 1024;
    private readonly UserStore _users;
    private readonly Dictionary<string, Principal> _verified = new(StringComparer.Ordinal);

    public AuthenticationActor(UserStore users)
    {
        _users = users;
        Receive<AuthenticateRequest>(Authenticate);
    }

    public static Props Props(UserStore users) => Akka.Actor.Props.Create(() => new AuthenticationActor(users));

    private void Authenticate(AuthenticateRequest message)
    {
        var request = message.Request;
        var principal = Identify(request.Request.Headers["Authorization"], message.Rule);
        if (principal is null)
        {
            var response = HttpResponse.Text(401, "Authentication is required to reach this resource.\n");
            foreach (var scheme in message.Rule.Schemes)
            {
                response = response.WithHeader("WWW-Authenticate", scheme == "basic"
                    ? $"Basic realm=\"{message.Rule.Realm}\", charset=\"UTF-8\""
                    : $"Bearer realm=\"{message.Rule.Realm}\"");
            }

            request.Connection.Tell(new ResponseReady(request.Sequence, response));
            return;
        }

        if (!message.Rule.Roles.All(principal.IsInRole))
        {
            request.Connection.Tell(new ResponseReady(request.Sequence, HttpResponse.Text(403, $"{principal.Name} may not access this resource.\n")));
            return;
        }

        message.Target.Tell(request with { User = principal }, request.Connection);
    }

    private Principal? Identify(string? authorization, AuthRule rule)
    {
        if (authorization is null)
        {
            return null;
        }

        var space = authorization.IndexOf(' ');
        var scheme = space > 0 ? authorization[..space].ToLowerInvariant() : string.Empty;
        var credentials = space > 0 ? authorization[(space + 1)..].Trim() : string.Empty;
        if (!rule.Schemes.Contains(scheme) || credentials.Length == 0)
        {
            return null;
        }

        if (_verified.TryGetValue(authorization, out var remembered))
        {
            return remembered;
        }

        var principal = scheme == "basic" ? VerifyBasic(credentials) : _users.VerifyToken(credentials);
        if (principal is not null)
        {
            if (_verified.Count >= RememberedCredentials)
            {
                _verified.Clear();
            }

            _verified[authorization] = principal;
        }

        return principal;
    }

    private Principal? VerifyBasic(string credentials)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(credentials));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':');
        return colon > 0 ? _users.VerifyPassword(decoded[..colon], decoded[(colon + 1)..]) : null;
    }
}
