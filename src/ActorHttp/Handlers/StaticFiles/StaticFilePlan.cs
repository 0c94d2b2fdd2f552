using ActorHttp.Protocol;

namespace ActorHttp.Handlers.StaticFiles;

/// <summary>
/// What a static file request comes to, decided before any byte of a file is read: the part of
/// serving files that is the same however the bytes then travel (chunk messages from an actor, or a
/// stream a plain host reads).
/// </summary>
public abstract record StaticFilePlan
{
    private StaticFilePlan()
    {
    }

    /// <summary>A complete answer with no file bytes in it: a refusal, a redirect, 304, 412, 416, a folder listing.</summary>
    public sealed record Complete(HttpResponse Response) : StaticFilePlan;

    /// <summary>
    /// The head alone ends the answer: it announces the <paramref name="Length"/> bytes a GET would
    /// get, and none need reading (an empty file, or HEAD of a file larger than one chunk).
    /// </summary>
    public sealed record HeadOnly(HttpResponse Head, long Length) : StaticFilePlan;

    /// <summary>
    /// <paramref name="Range"/> of <paramref name="File"/> (the requested file or its precompressed
    /// sibling) follows <paramref name="Head"/>: as a complete body when it fits in one chunk
    /// (<see cref="StaticFileSettings.ChunkBytes"/>), streamed otherwise.
    /// </summary>
    public sealed record SendFile(HttpResponse Head, FileInfo File, ByteRange Range) : StaticFilePlan
    {
        /// <summary>True when the range is the whole file: only then may its bytes be remembered as the file's.</summary>
        public bool IsWholeFile => Range.Length == File.Length;
    }
}
