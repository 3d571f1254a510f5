using System.CommandLine;
using Switch.Adapters.Iso8583;

namespace Switch.Host.Cli;

/// <summary><c>switch iso decode|encode</c>: look at frames the way a bank integration engineer needs to.</summary>
public static class IsoCommand
{
    public static Command Create()
    {
        var command = new Command("iso", "Decode or encode ISO 8583 frames (hex or base64 <-> JSON).");
        command.Subcommands.Add(CreateDecode());
        command.Subcommands.Add(CreateEncode());
        return command;
    }

    private static Command CreateDecode()
    {
        var input = new Argument<string>("frame") { Description = "The frame as hex (or base64 with --base64); '-' reads standard input." };
        var unmasked = new Option<bool>("--unmasked") { Description = "Show card numbers, accounts and names in full." };
        var decode = new Command("decode", "Print a frame as JSON; sensitive fields are masked unless --unmasked.") { input, unmasked };
        var shared = SharedOptions.AddTo(decode);
        decode.SetAction(result => Run(() =>
        {
            var options = shared.Read(result) with { Unmasked = result.GetValue(unmasked) };
            Console.WriteLine(IsoTool.Decode(ReadInput(result.GetValue(input)!), options));
        }));
        return decode;
    }

    private static Command CreateEncode()
    {
        var input = new Argument<string>("json") { Description = "The message as JSON ({\"mti\":\"0800\",\"fields\":{\"70\":\"301\"}}); '-' reads standard input." };
        var tpdu = new Option<string?>("--tpdu-value") { Description = "The TPDU as 10 hex digits (default 6000000000), with --tpdu." };
        var encode = new Command("encode", "Print a JSON message as a frame in hex (or base64).") { input, tpdu };
        var shared = SharedOptions.AddTo(encode);
        encode.SetAction(result => Run(() =>
            Console.WriteLine(IsoTool.Encode(ReadInput(result.GetValue(input)!), shared.Read(result), result.GetValue(tpdu)))));
        return encode;
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is IsoCodecException or FormatException or ArgumentException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static string ReadInput(string value) => value == "-" ? Console.In.ReadToEnd() : value;

    private sealed record SharedOptions(
        Option<string> Profile, Option<FramingChoice> Framing, Option<bool> Tpdu, Option<bool> Base64, Option<string?> MacKey)
    {
        public static SharedOptions AddTo(Command command)
        {
            var options = new SharedOptions(
                new Option<string>("--profile") { Description = "Built-in profile (spec-ascii, pos-bcd) or a profile JSON file.", DefaultValueFactory = _ => "spec-ascii" },
                new Option<FramingChoice>("--framing") { Description = "Length header: Binary2 (the spec), Ascii4, or None for a bare message.", DefaultValueFactory = _ => FramingChoice.Binary2 },
                new Option<bool>("--tpdu") { Description = "A 5-byte TPDU follows the length header." },
                new Option<bool>("--base64") { Description = "Frames as base64 instead of hex." },
                new Option<string?>("--mac-key") { Description = "The bank's MAC key as hex: encode adds field 128, decode checks it." });
            command.Options.Add(options.Profile);
            command.Options.Add(options.Framing);
            command.Options.Add(options.Tpdu);
            command.Options.Add(options.Base64);
            command.Options.Add(options.MacKey);
            return options;
        }

        public IsoToolOptions Read(ParseResult result) => new(
            MessageProfile.Resolve(result.GetValue(Profile)!),
            result.GetValue(Framing),
            result.GetValue(Tpdu),
            result.GetValue(Base64),
            MacKey: result.GetValue(MacKey) is { } hex ? Convert.FromHexString(hex) : null);
    }
}
