using JasperFx.CommandLine;

namespace AuditPortal.Web.Cli;

public sealed class NewCheckpointKeyInput
{
    [Description("File to write the private key to (PEM, readable by its owner only); it is never printed")]
    public string PrivateKeyFile { get; set; } = "";
}

/// <summary>
/// `dotnet run --project src/AuditPortal.Web -- new-checkpoint-key /secure/checkpoint-signing.pem`: a new ECDSA P-256
/// pair. The private key goes to a file for the one node that publishes checkpoints (Integrity:CheckpointSigningKey);
/// the public key is printed for the verifiers (Integrity:CheckpointPublicKey).
/// </summary>
[Description("Creates a checkpoint key pair: the private key into a file, the public key printed", Name = "new-checkpoint-key")]
public sealed class NewCheckpointKeyCommand : JasperFxCommand<NewCheckpointKeyInput>
{
    public override bool Execute(NewCheckpointKeyInput input)
    {
        if (string.IsNullOrWhiteSpace(input.PrivateKeyFile))
        {
            Console.Error.WriteLine("Give the file for the private key.");
            return false;
        }
        if (File.Exists(input.PrivateKeyFile))
        {
            Console.Error.WriteLine($"{input.PrivateKeyFile} exists; not overwritten (checkpoints signed with it would no longer verify).");
            return false;
        }
        var (privatePem, publicPem) = CheckpointKeys.Create();
        // Created owner-only before the key is written into it.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(input.PrivateKeyFile, options)) writer.Write(privatePem);
        Console.Error.WriteLine($"Private key written to {input.PrivateKeyFile}: give it (as {CheckpointSettings.SigningKeySetting}, the path or the PEM text) only to the node that publishes checkpoints.");
        Console.Error.WriteLine($"Public key for the verifiers ({CheckpointSettings.PublicKeySetting}):");
        Console.WriteLine(publicPem);
        return true;
    }
}
