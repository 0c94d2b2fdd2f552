using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ActorHttp.Handlers.Uploads;

/// <summary>The upload is malformed (bad multipart framing, no file, too many parts): the client's fault, 400.</summary>
public sealed class InvalidUploadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Writes an upload to disk as its bytes come out of a pipe: a raw body as one file, a
/// <c>multipart/form-data</c> body as one file per file part. Each file is written under a
/// temporary name and renamed once complete, so the folder never shows a partial file under its
/// final name; on any failure every file of the upload is deleted.
/// </summary>
/// <remarks>
/// The pipe is the backpressure: its writer (the handler actor) waits once the pipe holds its
/// pause threshold, and asks the connection for more only then, so a slow disk slows the client.
/// </remarks>
public static class UploadStore
{
    private const int MaxFieldBytes = 64 * 1024;
    private const int CopyBufferBytes = 64 * 1024;

    /// <summary>Reads the boundary of a multipart Content-Type; null for anything else (a raw upload).</summary>
    /// <exception cref="InvalidUploadException">Multipart without a usable boundary.</exception>
    public static string? MultipartBoundary(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary);
        // RFC 2046 §5.1.1: 1 to 70 characters.
        if (boundary.Length is 0 or > 70)
        {
            throw new InvalidUploadException("multipart/form-data needs a boundary of 1 to 70 characters");
        }

        return boundary.Value;
    }

    public static async Task<UploadResult> StoreAsync(PipeReader body, string? boundary, string? contentType, UploadSettings settings)
    {
        Directory.CreateDirectory(settings.Folder);
        var stored = new List<StoredFile>();
        try
        {
            if (boundary is null)
            {
                stored.Add(await StoreFileAsync(body.AsStream(), null, null, contentType, settings.Folder).ConfigureAwait(false));
            }
            else
            {
                await StoreMultipartAsync(body.AsStream(), boundary, settings, stored).ConfigureAwait(false);
            }

            await body.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            await body.CompleteAsync(error).ConfigureAwait(false);
            foreach (var file in stored)
            {
                File.Delete(Path.Combine(settings.Folder, file.Id));
            }

            throw;
        }

        var first = stored[0];
        return new UploadResult(first.Size, first.Sha256, first.Id, stored);
    }

    private static async Task StoreMultipartAsync(Stream body, string boundary, UploadSettings settings, List<StoredFile> stored)
    {
        var reader = new MultipartReader(boundary, body) { BodyLengthLimit = settings.MaxBytes };
        var parts = 0;
        while (await ReadNextSectionAsync(reader).ConfigureAwait(false) is { } section)
        {
            if (++parts > settings.MaxFiles)
            {
                throw new InvalidUploadException($"more than {settings.MaxFiles} parts in one upload");
            }

            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidUploadException("every part of multipart/form-data needs Content-Disposition: form-data");
            }

            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (disposition.IsFileDisposition())
            {
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                stored.Add(await StoreFileAsync(section.Body, field, fileName, section.ContentType, settings.Folder).ConfigureAwait(false));
            }
            else
            {
                // A plain form field: read (bounded) and dropped, as the answer only reports files.
                await DrainFieldAsync(section.Body, field).ConfigureAwait(false);
            }
        }

        if (stored.Count == 0)
        {
            throw new InvalidUploadException("the multipart body has no file part (a part with a filename)");
        }
    }

    private static async Task<MultipartSection?> ReadNextSectionAsync(MultipartReader reader)
    {
        try
        {
            return await reader.ReadNextSectionAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is InvalidDataException or IOException)
        {
            throw new InvalidUploadException($"malformed multipart body: {error.Message}", error);
        }
    }

    private static async Task DrainFieldAsync(Stream field, string? name)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            long total = 0;
            int read;
            while ((read = await ReadPartAsync(field, buffer).ConfigureAwait(false)) > 0)
            {
                if ((total += read) > MaxFieldBytes)
                {
                    throw new InvalidUploadException($"the form field '{name}' is larger than {MaxFieldBytes} bytes");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<StoredFile> StoreFileAsync(Stream source, string? field, string? fileName, string? contentType, string folder)
    {
        var id = Guid.NewGuid().ToString("N");
        var finalPath = Path.Combine(folder, id);
        var partialPath = finalPath + ".part";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        long size = 0;
        try
        {
            await using (var file = new FileStream(partialPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await ReadPartAsync(source, buffer).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                    size += read;
                }
            }

            File.Move(partialPath, finalPath);
        }
        catch
        {
            File.Delete(partialPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new StoredFile(id, field, fileName, contentType, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Reads the client's bytes; a broken multipart framing found mid-part is the client's fault.</summary>
    private static async Task<int> ReadPartAsync(Stream source, byte[] buffer)
    {
        try
        {
            return await source.ReadAsync(buffer).ConfigureAwait(false);
        }
        catch (Exception error) when (error is InvalidDataException or IOException)
        {
            throw new InvalidUploadException($"malformed multipart body: {error.Message}", error);
        }
    }
}
