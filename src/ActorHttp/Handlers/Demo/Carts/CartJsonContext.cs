using System.Text.Json.Serialization;

namespace ActorHttp.Handlers.Demo.Carts;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ItemAdded))]
[JsonSerializable(typeof(ItemRemoved))]
[JsonSerializable(typeof(CartSnapshot))]
[JsonSerializable(typeof(CartItemInput))]
[JsonSerializable(typeof(CartView))]
internal sealed partial class CartJsonContext : JsonSerializerContext;
