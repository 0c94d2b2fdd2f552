namespace ActorHttp.Handlers.StaticFiles;

/// <summary>
/// Small files read whole, kept by full path; an entry serves only while the file's size and
/// modification time (taken for every request anyway) are unchanged, like nginx's open_file_cache.
/// Safe for several threads at once: the model-neutral handler is called from many; an actor
/// handler keeps one to itself, where the lock is never contended.
/// </summary>
/// <param name="capacityBytes">The memory the entries may take together; 0 turns the cache off.</param>
public sealed class SmallFileCache(long capacityBytes)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CachedFile> _entries = new(StringComparer.Ordinal);
    private long _cachedBytes;

    /// <summary>The bytes remembered for <paramref name="file"/>, if its size and modification time are those they were read at.</summary>
    public bool TryGet(FileInfo file, out byte[] content)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(file.FullName, out var cached) && cached.Content.Length == file.Length && cached.LastWriteTicks == file.LastWriteTimeUtc.Ticks)
            {
                content = cached.Content;
                return true;
            }
        }

        content = [];
        return false;
    }

    /// <summary>Remembers the whole <paramref name="content"/> of <paramref name="file"/>, read while it had the size and time <paramref name="file"/> says.</summary>
    public void Remember(FileInfo file, byte[] content)
    {
        if (content.Length > capacityBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove(file.FullName, out var replaced))
            {
                _cachedBytes -= replaced.Content.Length;
            }

            // Over budget: start again rather than track recency; the hot files come back at once.
            if (_cachedBytes + content.Length > capacityBytes)
            {
                _entries.Clear();
                _cachedBytes = 0;
            }

            _entries[file.FullName] = new CachedFile(content, file.LastWriteTimeUtc.Ticks);
            _cachedBytes += content.Length;
        }
    }

    private sealed record CachedFile(byte[] Content, long LastWriteTicks);
}
