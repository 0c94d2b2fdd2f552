using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace ActorHttp.Handlers.Demo.Carts;

/// <summary>
/// Cart events and snapshots as System.Text.Json (source-generated), the type in the manifest, so
/// the journal's rows are readable and stay readable across builds (never a .NET type name).
/// Bound in <c>akka.actor.serialization-bindings</c>.
/// </summary>
public sealed class CartEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Unique among the system's serializers (Akka's own use 1 to 100).</summary>
    public override int Identifier => 8_742;

    public override string Manifest(object o) => o switch
    {
        ItemAdded => "item-added",
        ItemRemoved => "item-removed",
        CartSnapshot => "cart-snapshot",
        _ => throw new SerializationException($"{nameof(CartEventSerializer)} cannot serialize {o.GetType()}"),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        ItemAdded added => JsonSerializer.SerializeToUtf8Bytes(added, CartJsonContext.Default.ItemAdded),
        ItemRemoved removed => JsonSerializer.SerializeToUtf8Bytes(removed, CartJsonContext.Default.ItemRemoved),
        CartSnapshot snapshot => JsonSerializer.SerializeToUtf8Bytes(snapshot, CartJsonContext.Default.CartSnapshot),
        _ => throw new SerializationException($"{nameof(CartEventSerializer)} cannot serialize {obj.GetType()}"),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            object? value = manifest switch
            {
                "item-added" => JsonSerializer.Deserialize(bytes, CartJsonContext.Default.ItemAdded),
                "item-removed" => JsonSerializer.Deserialize(bytes, CartJsonContext.Default.ItemRemoved),
                "cart-snapshot" => JsonSerializer.Deserialize(bytes, CartJsonContext.Default.CartSnapshot),
                _ => throw new SerializationException($"{nameof(CartEventSerializer)}: unknown manifest \"{manifest}\""),
            };
            return value ?? throw new SerializationException($"Cart {manifest} is null");
        }
        catch (JsonException error)
        {
            throw new SerializationException($"Malformed cart {manifest}: {error.Message}", error);
        }
    }
}
