namespace ActorHttp.Handlers.Auth;

/// <summary>An authenticated user and the roles it holds.</summary>
public sealed record Principal(string Name, IReadOnlyList<string> Roles)
{
    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}
