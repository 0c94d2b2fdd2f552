/// <summary>The users the function-route example looks up: in memory here, a database in a real application.</summary>
public sealed class UserDirectory
{
    private readonly Dictionary<int, User> _users = new()
    {
        [1] = new User(1, "Ada Lovelace"),
        [2] = new User(2, "Grace Hopper"),
    };

    public Task<User?> FindAsync(int id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_users.GetValueOrDefault(id));
    }
}

public sealed record User(int Id, string Name);
