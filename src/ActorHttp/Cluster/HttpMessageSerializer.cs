using System.Net;
using System.Runtime.Serialization;
using System.Text;
using ActorHttp.Actors;
using ActorHttp.Handlers.Auth;
using ActorHttp.Protocol;
using HttpVersion = ActorHttp.Protocol.HttpVersion;
using Akka.Actor;
using Akka.Serialization;

namespace ActorHttp.Cluster;

/// <summary>
/// The compact binary form of the messages a sharded route sends between nodes: the request going
/// to its entity (<see cref="ShardedRequest"/>, whole body included) and the entity's answer
/// (<see cref="ResponseReady"/>). The connection's reply address travels as Akka's serialized actor
/// path (with this node's address), and is resolved back into a remote reference on the entity's node.
/// Bound in <c>akka.actor.serialization-bindings</c> (hocon/actorhttp.conf).
/// </summary>
/// <remarks>
/// Every field has a fixed place; each message starts with a format version so a node of a later
/// build can refuse what it cannot read rather than misread it. Version 2 added the request's
/// telemetry (its request id and trace ids), so an entity on another node logs with them; this
/// build still reads version 1 (no telemetry), and writes 2, which a node of a build before it
/// refuses (docs/cluster.md, "Upgrading"). Lengths are checked against the bytes actually there, so a
/// malformed frame fails with <see cref="SerializationException"/>, never a huge allocation.
/// </remarks>
public sealed class HttpMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string RequestManifest = "R";
    private const string ResponseManifest = "A";
    private const byte FormatVersion = 2;

    // Requests of version 1 (no telemetry) are still read, from nodes of the build before it.
    private const byte FirstFormatVersion = 1;

    /// <summary>Unique among the system's serializers (Akka's own use 1 to 100).</summary>
    public override int Identifier => 8_741;

    public override string Manifest(object o) => o switch
    {
        ShardedRequest => RequestManifest,
        ResponseReady => ResponseManifest,
        _ => throw new SerializationException($"{nameof(HttpMessageSerializer)} cannot serialize {o.GetType()}"),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            switch (obj)
            {
                case ShardedRequest request:
                    WriteRequest(writer, request);
                    break;
                case ResponseReady ready:
                    WriteResponse(writer, ready);
                    break;
                default:
                    throw new SerializationException($"{nameof(HttpMessageSerializer)} cannot serialize {obj.GetType()}");
            }
        }

        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            var version = reader.ReadByte();
            if (version is < FirstFormatVersion or > FormatVersion)
            {
                throw new SerializationException($"HTTP message in format version {version}; this node reads versions {FirstFormatVersion} to {FormatVersion}");
            }

            object message = manifest switch
            {
                RequestManifest => ReadRequest(reader, version),
                ResponseManifest => ReadResponse(reader),
                _ => throw new SerializationException($"{nameof(HttpMessageSerializer)}: unknown manifest \"{manifest}\""),
            };
            if (reader.BaseStream.Position != bytes.Length)
            {
                throw new SerializationException($"HTTP message ({manifest}) has {bytes.Length - reader.BaseStream.Position} bytes past its end");
            }

            return message;
        }
        catch (Exception error) when (error is EndOfStreamException or FormatException or ArgumentException or IOException)
        {
            throw new SerializationException($"Malformed HTTP message ({manifest}): {error.Message}", error);
        }
    }

    private static void WriteRequest(BinaryWriter writer, ShardedRequest sharded)
    {
        var message = sharded.Message;
        var request = message.Request;
        if (request.BodyStreamed)
        {
            // MapSharded refuses streamed-body routes, so this is a bug, not a client's doing.
            throw new SerializationException("A request with a streamed body cannot be sent to a sharded entity");
        }

        writer.Write(sharded.EntityId);
        writer.Write(request.Method);
        writer.Write(request.Target);
        writer.Write(request.Path);
        writer.Write(request.Query);
        writer.Write((byte)request.Version);
        WriteFields(writer, request.Headers);
        WriteBytes(writer, request.Body.Span);
        WriteFields(writer, request.Trailers);
        writer.Write(request.KeepAlive);
        WriteFields(writer, request.RouteValues.ToArray());
        writer.Write(message.Sequence);
        writer.Write(Serialization.SerializedActorPath(message.Connection));
        WriteBytes(writer, message.ClientAddress is { } address ? address.GetAddressBytes() : []);
        writer.Write(message.User is not null);
        if (message.User is { } user)
        {
            writer.Write(user.Name);
            writer.Write(user.Roles.Count);
            foreach (var role in user.Roles)
            {
                writer.Write(role);
            }
        }

        writer.Write(message.Telemetry is not null);
        if (message.Telemetry is { } telemetry)
        {
            writer.Write(telemetry.RequestId is not null);
            if (telemetry.RequestId is { } requestId)
            {
                writer.Write(requestId);
            }

            // The trace as a W3C traceparent and tracestate: what a remote service of the same trace would get.
            var traced = telemetry.Trace != default;
            writer.Write(traced);
            if (traced)
            {
                writer.Write(ActorHttp.Observability.ServerTracing.TraceParent(telemetry.Trace));
                writer.Write(telemetry.Trace.TraceState ?? string.Empty);
            }
        }
    }

    private ShardedRequest ReadRequest(BinaryReader reader, byte formatVersion)
    {
        var entityId = reader.ReadString();
        var method = reader.ReadString();
        var target = reader.ReadString();
        var path = reader.ReadString();
        var query = reader.ReadString();
        var version = reader.ReadByte() switch
        {
            (byte)HttpVersion.Http10 => HttpVersion.Http10,
            (byte)HttpVersion.Http11 => HttpVersion.Http11,
            var other => throw new SerializationException($"Unknown HTTP version {other}"),
        };
        var headers = new HttpHeaders(ReadFields(reader));
        var body = ReadBytes(reader);
        var trailers = ReadFields(reader);
        var keepAlive = reader.ReadBoolean();
        var routeValues = ReadFields(reader).ToDictionary(StringComparer.Ordinal);
        var sequence = reader.ReadInt64();
        var connection = system.Provider.ResolveActorRef(reader.ReadString());
        var addressBytes = ReadBytes(reader);
        var clientAddress = addressBytes.Length == 0 ? null : new IPAddress(addressBytes);
        Principal? user = null;
        if (reader.ReadBoolean())
        {
            var name = reader.ReadString();
            var roles = new string[ReadCount(reader)];
            for (var i = 0; i < roles.Length; i++)
            {
                roles[i] = reader.ReadString();
            }

            user = new Principal(name, roles);
        }

        var request = new HttpRequest
        {
            Method = method,
            Target = target,
            Path = path,
            Query = query,
            Version = version,
            Headers = headers,
            Body = body,
            Trailers = trailers.Length == 0 ? HttpHeaders.Empty : new HttpHeaders(trailers),
            KeepAlive = keepAlive,
            RouteValues = routeValues,
        };
        var telemetry = formatVersion >= 2 && reader.ReadBoolean() ? ReadTelemetry(reader) : null;
        return new ShardedRequest(entityId, new HandleRequest(request, sequence, connection, clientAddress, user, telemetry));
    }

    private static RequestTelemetry ReadTelemetry(BinaryReader reader)
    {
        var requestId = reader.ReadBoolean() ? reader.ReadString() : null;
        var trace = default(System.Diagnostics.ActivityContext);
        if (reader.ReadBoolean())
        {
            var traceParent = reader.ReadString();
            var traceState = reader.ReadString();
            if (!System.Diagnostics.ActivityContext.TryParse(traceParent, traceState.Length == 0 ? null : traceState, isRemote: true, out trace))
            {
                throw new SerializationException($"Malformed traceparent in a sharded request: \"{traceParent}\"");
            }
        }

        return new RequestTelemetry(requestId, trace);
    }

    private static void WriteResponse(BinaryWriter writer, ResponseReady ready)
    {
        var response = ready.Response;
        if (response.Streamed || response.BodyStream is not null)
        {
            throw new SerializationException(
                $"A streamed response (status {response.StatusCode}) cannot be sent between nodes: a sharded entity answers with a complete body");
        }

        writer.Write(ready.Sequence);
        writer.Write(response.StatusCode);
        WriteFields(writer, response.Headers);
        WriteBytes(writer, response.Body.Span);
        writer.Write(response.Close);
    }

    private static ResponseReady ReadResponse(BinaryReader reader)
    {
        var sequence = reader.ReadInt64();
        var status = reader.ReadInt32();
        var headers = ReadFields(reader);
        var body = ReadBytes(reader);
        var close = reader.ReadBoolean();
        return new ResponseReady(sequence, new HttpResponse { StatusCode = status, Headers = headers, Body = body, Close = close });
    }

    private static void WriteFields(BinaryWriter writer, IReadOnlyCollection<KeyValuePair<string, string>> fields)
    {
        writer.Write(fields.Count);
        foreach (var (name, value) in fields)
        {
            writer.Write(name);
            writer.Write(value);
        }
    }

    private static KeyValuePair<string, string>[] ReadFields(BinaryReader reader)
    {
        var fields = new KeyValuePair<string, string>[ReadCount(reader)];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new KeyValuePair<string, string>(reader.ReadString(), reader.ReadString());
        }

        return fields;
    }

    private static void WriteBytes(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader)
    {
        var length = ReadCount(reader);
        return length == 0 ? [] : reader.ReadBytes(length);
    }

    /// <summary>A count or length, never more than the bytes left (each item takes at least one byte).</summary>
    private static int ReadCount(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var left = reader.BaseStream.Length - reader.BaseStream.Position;
        if (count < 0 || count > left)
        {
            throw new SerializationException($"Length {count} with only {left} bytes left");
        }

        return count;
    }
}
