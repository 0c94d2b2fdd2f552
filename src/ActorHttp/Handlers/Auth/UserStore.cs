using System.Security.Cryptography;
using System.Text;

namespace ActorHttp.Handlers.Auth;

/// <summary>
/// Users for Basic authentication and tokens for Bearer, never stored in clear. A users file has one
/// user a line, <c>name:iterations:salt:hash:role1,role2</c>, where hash is PBKDF2-SHA256 of the
/// password (base64, 32 bytes) with that salt (base64) and iteration count; '#' starts a comment.
/// Tokens are kept as the hex SHA-256 of the token.
/// </summary>
public sealed class UserStore
{
    private const int HashBytes = 32;
    private readonly Dictionary<string, StoredUser> _users;
    private readonly Dictionary<string, Principal> _tokens;

    public UserStore(IEnumerable<string> userLines, IReadOnlyDictionary<string, Principal> tokensBySha256)
    {
        _users = new Dictionary<string, StoredUser>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in userLines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(':');
            if (parts.Length != 5 || parts[0].Length == 0 || !int.TryParse(parts[1], out var iterations) || iterations < 1)
            {
                throw new FormatException($"users file line {lineNumber}: expected name:iterations:salt:hash:roles");
            }

            var roles = parts[4].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            _users[parts[0]] = new StoredUser(new Principal(parts[0], roles), iterations, Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]));
        }

        _tokens = tokensBySha256.ToDictionary(t => t.Key.ToLowerInvariant(), t => t.Value, StringComparer.Ordinal);
    }

    public static UserStore Empty { get; } = new([], new Dictionary<string, Principal>());

    /// <summary>One line of a users file for <paramref name="name"/>, with a fresh random salt.</summary>
    public static string HashLine(string name, string password, IEnumerable<string> roles, int iterations = 100_000)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{name}:{iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}:{string.Join(',', roles)}";
    }

    public static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public Principal? VerifyPassword(string name, string password)
    {
        if (!_users.TryGetValue(name, out var user))
        {
            return null;
        }

        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), user.Salt, user.Iterations, HashAlgorithmName.SHA256, HashBytes);
        return CryptographicOperations.FixedTimeEquals(hash, user.Hash) ? user.Principal : null;
    }

    public Principal? VerifyToken(string token) => _tokens.GetValueOrDefault(TokenHash(token));

    private sealed record StoredUser(Principal Principal, int Iterations, byte[] Salt, byte[] Hash);
}
