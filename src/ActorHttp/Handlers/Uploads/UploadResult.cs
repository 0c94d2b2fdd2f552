using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorHttp.Handlers.Uploads;

/// <summary>One file stored from an upload: its id (its name in the upload folder), where it came from, its size and SHA-256.</summary>
/// <param name="Field">The form field of a multipart part; null for a raw body.</param>
/// <param name="FileName">The file name the client gave, for information only: it never becomes a path.</param>
public sealed record StoredFile(string Id, string? Field, string? FileName, string? ContentType, long Size, string Sha256);

/// <summary>
/// The 201 answer to an upload: size, SHA-256 and id of the file (the first, for multipart), and
/// every file stored.
/// </summary>
public sealed record UploadResult(long Size, string Sha256, string Id, IReadOnlyList<StoredFile> Files);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UploadResult))]
internal sealed partial class UploadJsonContext : JsonSerializerContext;
