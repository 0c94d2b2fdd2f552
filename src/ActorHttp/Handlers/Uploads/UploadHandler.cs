using System.IO.Pipelines;
using System.Text.Json;
using ActorHttp.Handlers.Json;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Handlers.Uploads;

/// <summary>
/// Stores uploads (a raw body, or <c>multipart/form-data</c>) in <see cref="UploadSettings.Folder"/>
/// as their bytes arrive, and answers 201 with the size and SHA-256 of what it stored. Register it
/// with <c>RouteBuilder.MapUploads</c>, which makes the route's bodies streamed.
/// </summary>
/// <remarks>
/// Each upload runs an <see cref="UploadStore"/> task reading from a pipe that this actor fills with
/// the pieces of the body; the next piece is asked for only once the pipe has room, so the client
/// can send no faster than the disk takes it. The task's end comes back as a message.
/// </remarks>
public sealed class UploadHandler(UploadSettings settings) : HttpHandlerActor
{
    // A little read-ahead keeps the disk busy while the next piece is on its way; no more.
    private static readonly PipeOptions BodyPipeOptions = new(pauseWriterThreshold: 512 * 1024, resumeWriterThreshold: 256 * 1024, useSynchronizationContext: false);

    private readonly Dictionary<(IActorRef Connection, long Sequence), Upload> _uploads = [];

    public static Props Props(UploadSettings settings) => Akka.Actor.Props.Create(() => new UploadHandler(settings));

    protected override void OnRequest(RequestContext context)
    {
        string? boundary;
        try
        {
            boundary = UploadStore.MultipartBoundary(context.Request.Headers["Content-Type"]);
        }
        catch (InvalidUploadException error)
        {
            context.Respond(Problem.Response(400, error.Message));
            return;
        }

        var upload = new Upload(context, new Pipe(BodyPipeOptions));
        _uploads[context.StreamKey] = upload;
        var key = context.StreamKey;
        UploadStore.StoreAsync(upload.Body.Reader, boundary, context.Request.Headers["Content-Type"], settings)
            .PipeTo(Self, success: result => new UploadStored(key, result), failure: error => new UploadFailed(key, error));

        if (context.Request.BodyStreamed)
        {
            context.ReadBody();
        }
        else
        {
            // A body that came whole (empty, or a route not registered as streaming) takes the same road.
            upload.BodyEnded = true;
            Write(upload, context.Request.Body);
        }
    }

    protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data)
    {
        if (_uploads.TryGetValue(context.StreamKey, out var upload))
        {
            Write(upload, data);
        }
    }

    protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers)
    {
        if (_uploads.TryGetValue(context.StreamKey, out var upload))
        {
            upload.BodyEnded = true;
            upload.Body.Writer.Complete();
        }
    }

    protected override void OnRequestBodyAborted(RequestContext context, string reason)
    {
        if (_uploads.Remove(context.StreamKey, out var upload))
        {
            Log.Info("Upload {Target} abandoned: {Reason}", context.Request.Target, reason);
            upload.Body.Writer.Complete(new UploadAbortedException(reason));
        }
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case PipeHasRoom room when _uploads.TryGetValue(room.Key, out var upload):
                AfterWrite(upload, room.StoreStopped);
                break;
            case UploadStored stored when _uploads.Remove(stored.Key, out var upload):
                Log.Info(
                    "Stored upload {Id}: {Size} bytes, SHA-256 {Sha256}, {FileCount} file(s) in {Folder}",
                    stored.Result.Id,
                    stored.Result.Size,
                    stored.Result.Sha256,
                    stored.Result.Files.Count,
                    settings.Folder);
                upload.Context.Respond(new HttpResponse
                {
                    StatusCode = 201,
                    Headers = [new("Content-Type", "application/json")],
                    Body = JsonSerializer.SerializeToUtf8Bytes(stored.Result, UploadJsonContext.Default.UploadResult),
                });
                break;
            case UploadFailed failed when _uploads.Remove(failed.Key, out var upload):
                if (failed.Error is InvalidUploadException invalid)
                {
                    upload.Context.Respond(Problem.Response(400, invalid.Message));
                }
                else
                {
                    // The disk, not the client: a 500 for this upload only; the handler and its other uploads carry on.
                    Log.Error(failed.Error, "Could not store upload {Target} in {Folder}", upload.Context.Request.Target, settings.Folder);
                    upload.Context.Respond(Problem.Response(500, "The upload could not be stored."));
                }

                break;
            case PipeHasRoom or UploadStored or UploadFailed:
                // About an upload already answered or abandoned.
                break;
            default:
                base.OnMessage(message);
                break;
        }
    }

    protected override void PostStop()
    {
        foreach (var upload in _uploads.Values)
        {
            upload.Body.Writer.Complete(new UploadAbortedException("the upload handler stopped"));
            if (upload.BodyEnded)
            {
                // Still being written out: the base answers only requests whose body was being read.
                upload.Context.Respond(Problem.Response(500, "The server failed while storing this upload."));
            }
        }

        _uploads.Clear();
        base.PostStop();
    }

    private void Write(Upload upload, ReadOnlyMemory<byte> data)
    {
        var flush = upload.Body.Writer.WriteAsync(data);
        if (flush.IsCompletedSuccessfully)
        {
            AfterWrite(upload, flush.Result.IsCompleted);
            return;
        }

        var key = upload.Context.StreamKey;
        flush.AsTask().PipeTo(Self, success: result => new PipeHasRoom(key, result.IsCompleted), failure: _ => new PipeHasRoom(key, StoreStopped: true));
    }

    /// <summary>
    /// The pipe took the piece: ask for the next, or end the pipe after a body that came whole. Nothing
    /// when the store already stopped: its end message answers the request.
    /// </summary>
    private static void AfterWrite(Upload upload, bool storeStopped)
    {
        if (upload.BodyEnded)
        {
            upload.Body.Writer.Complete();
        }
        else if (!storeStopped)
        {
            upload.Context.ReadBody();
        }
    }

    private sealed class Upload(RequestContext context, Pipe body)
    {
        public RequestContext Context { get; } = context;

        public Pipe Body { get; } = body;

        public bool BodyEnded { get; set; }
    }

    private sealed record PipeHasRoom((IActorRef, long) Key, bool StoreStopped);

    private sealed record UploadStored((IActorRef, long) Key, UploadResult Result);

    private sealed record UploadFailed((IActorRef, long) Key, Exception Error);
}

/// <summary>The upload's body will never be complete; the store deletes what it wrote.</summary>
public sealed class UploadAbortedException(string reason) : Exception($"The upload was abandoned: {reason}");
