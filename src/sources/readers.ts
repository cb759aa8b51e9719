/**
 * @module The bucket reader for a stored source: its R2 binding, or its S3 endpoint with the
 * credentials opened from their seal.
 */
import type { Ports } from '../ports'
import type { BucketReader } from './bucket'
import { SourceSettingsError } from './errors'
import { r2Bucket } from './r2-bucket'
import { s3LocationOf } from './s3-access'
import { s3Bucket } from './s3-bucket'
import { openSecret } from './secret-box'
import type { R2Settings, S3Secret, S3Settings } from './settings'
import type { SourceRow } from './source-object'

export async function bucketReaderOf(deps: Pick<Ports, 'config' | 'sourceBuckets' | 'fetch'>, source: SourceRow): Promise<BucketReader> {
  if (source.type === 'r2') {
    const settings = JSON.parse(source.settings) as R2Settings
    const bucket = deps.sourceBuckets.get(settings.binding)
    if (!bucket) throw new SourceSettingsError(`No R2 bucket is bound as "${settings.binding}" on the ingest Worker; bind it to both Workers and deploy again.`)
    return r2Bucket(bucket, settings.prefix)
  }
  if (source.type === 's3') {
    if (!source.sealedSecret) throw new SourceSettingsError('The source has no credentials; connect it again with its keys.')
    const secret = await openSecret<S3Secret>(deps.config.sourceSecretsKey, source.id, source.sealedSecret)
    const settings = JSON.parse(source.settings) as S3Settings
    return s3Bucket(s3LocationOf(settings), { accessKeyId: secret.access_key_id, secretAccessKey: secret.secret_access_key, sessionToken: secret.session_token }, deps.fetch)
  }
  throw new Error(`a ${source.type} source is not a bucket`)
}
