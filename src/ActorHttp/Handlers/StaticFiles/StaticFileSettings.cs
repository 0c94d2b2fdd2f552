using Akka.Configuration;

namespace ActorHttp.Handlers.StaticFiles;

/// <summary>The <c>actorhttp.static-files</c> section: where files come from and how they are served.</summary>
/// <param name="CacheBytes">Memory each handler instance may keep for small files (up to <paramref name="ChunkBytes"/> each); 0 turns the cache off.</param>
public sealed record StaticFileSettings(string Root, string IndexFile, bool Listing, int ChunkBytes, TimeSpan MaxAge, long CacheBytes = 16 * 1024 * 1024)
{
    /// <summary>
    /// Reads the section; a relative root is taken from the working directory when it exists there,
    /// else beside the executable (where the bundled demo site is copied).
    /// </summary>
    public static StaticFileSettings FromConfig(Config root)
    {
        var section = root.GetConfig("actorhttp.static-files") ?? Config.Empty;
        var configured = section.GetString("root", "www");
        var folder = Path.IsPathRooted(configured) || Directory.Exists(configured)
            ? Path.GetFullPath(configured)
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, configured));
        var chunk = section.GetByteSize("chunk-size") ?? 64 * 1024;
        if (chunk is < 1024 or > 16 * 1024 * 1024)
        {
            throw new ConfigurationException("actorhttp.static-files.chunk-size must be between 1KiB and 16MiB");
        }

        return new StaticFileSettings(
            folder.TrimEnd(Path.DirectorySeparatorChar),
            section.GetString("index", "index.html"),
            section.GetBoolean("listing", false),
            (int)chunk,
            section.GetTimeSpan("max-age", TimeSpan.Zero),
            section.GetByteSize("cache-bytes") ?? 16 * 1024 * 1024);
    }
}
