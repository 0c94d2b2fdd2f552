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
/// Each upload runs an <see cref="UploadStore"/> task reading from a <see cref="RequestBodyPipe"/>
/// that this actor fills with the pieces of the body, so the client can send no faster than the
/// disk takes it. The task's end comes back as a message.
/// </remarks>
public sealed class UploadHandler(UploadSettings settings) : HttpHandlerActor
{
    private readonly Dictionary<(IActorRef Connection, long Sequence), RequestBodyPipe> _uploads = [];

    public static Props Props(UploadSettings settings) => Akka.Actor.Props.Create(() => new UploadHandler(settings));

    protected override void OnRequest(RequestContext context)
    {
        var contentType = context.Request.Headers["Content-Type"];
        string? boundary;
        try
        {
            boundary = UploadStore.MultipartBoundary(contentType);
        }
        catch (InvalidUploadException error)
        {
            context.Respond(Problem.Response(400, error.Message));
            return;
        }

        var upload = new RequestBodyPipe(context, Self);
        _uploads[context.StreamKey] = upload;
        var key = context.StreamKey;
        UploadStore.StoreAsync(upload.Reader, boundary, contentType, settings)
            .PipeTo(Self, success: result => new UploadStored(key, result), failure: error => new UploadFailed(key, error));
        upload.Start();
    }

    protected override void OnRequestBody(RequestContext context, ReadOnlyMemory<byte> data)
    {
        if (_uploads.TryGetValue(context.StreamKey, out var upload))
        {
            upload.OnBody(data);
        }
    }

    protected override void OnRequestBodyEnd(RequestContext context, HttpHeaders trailers)
    {
        if (_uploads.TryGetValue(context.StreamKey, out var upload))
        {
            upload.OnBodyEnd();
        }
    }

    protected override void OnRequestBodyAborted(RequestContext context, string reason)
    {
        if (_uploads.Remove(context.StreamKey, out var upload))
        {
            Log.Info("Upload {Target} abandoned: {Reason}", context.Request.Target, reason);
            upload.Abort(new UploadAbortedException(reason));
        }
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case RequestBodyPipe.Room room when _uploads.TryGetValue(room.Key, out var upload):
                upload.OnRoom(room);
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
            case RequestBodyPipe.Room or UploadStored or UploadFailed:
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
            upload.Abort(new UploadAbortedException("the upload handler stopped"));
            if (upload.BodyEnded)
            {
                // Still being written out: the base answers only requests whose body was being read.
                upload.Context.Respond(Problem.Response(500, "The server failed while storing this upload."));
            }
        }

        _uploads.Clear();
        base.PostStop();
    }

    private sealed record UploadStored((IActorRef, long) Key, UploadResult Result);

    private sealed record UploadFailed((IActorRef, long) Key, Exception Error);
}

/// <summary>The upload's body will never be complete; the store deletes what it wrote.</summary>
public sealed class UploadAbortedException(string reason) : Exception($"The upload was abandoned: {reason}");
