using Akka.Configuration;

namespace ActorHttp.Handlers.Uploads;

/// <summary>The <c>actorhttp.uploads</c> section: where uploads are stored and how large they may be.</summary>
/// <param name="Folder">Where stored files go (created when missing).</param>
/// <param name="MaxBytes">Largest request body an upload route takes, multipart framing included; larger → 413.</param>
/// <param name="MaxFiles">Most parts (files and fields) in one multipart upload; more → 400.</param>
public sealed record UploadSettings(string Folder, long MaxBytes, int MaxFiles)
{
    public static UploadSettings FromConfig(Config root)
    {
        var section = root.GetConfig("actorhttp.uploads") ?? Config.Empty;
        var configured = section.GetString("folder", string.Empty);
        var folder = configured.Length == 0
            ? Path.Combine(Path.GetTempPath(), "actorhttp-uploads")
            : Path.GetFullPath(configured);
        var maxBytes = section.GetByteSize("max-bytes") ?? 100_000_000;
        if (maxBytes < 1)
        {
            throw new ConfigurationException("actorhttp.uploads.max-bytes must be at least 1 byte");
        }

        var maxFiles = section.GetInt("max-files", 20);
        if (maxFiles < 1)
        {
            throw new ConfigurationException("actorhttp.uploads.max-files must be at least 1");
        }

        return new UploadSettings(folder, maxBytes, maxFiles);
    }
}
