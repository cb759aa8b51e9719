/**
 * @module The files whose text only a model can give: images to the vision model, recordings to the
 * speech model. Each ends as segments and, where something was not read, a sentence saying why. A
 * model's refusal (an error retrying cannot fix: bad key, unknown model, input it rejects) leaves the
 * file processed and unread, saying so; a passing failure is thrown for the queue to retry.
 */
import type { Models } from '../../models/ports'
import { ModelCallError } from '../../models/retry'
import { plainSentence } from '../errors'
import type { FileKind } from '../file-type'
import { perceiveAudio } from './audio-file'
import { perceiveImage, type Perceived } from './image-file'

export type MediaKind = Extract<FileKind, 'png' | 'jpeg' | 'wav' | 'mp3'>

export async function perceiveMedia(models: Pick<Models, 'vision' | 'speech'>, bytes: Uint8Array, kind: MediaKind): Promise<Perceived> {
  try {
    return kind === 'png' || kind === 'jpeg' ? await perceiveImage(models.vision, bytes, kind) : await perceiveAudio(models.speech, bytes, kind)
  } catch (err) {
    if (!(err instanceof ModelCallError) || err.transient) throw err
    return { segments: [], note: plainSentence(`Not indexed: ${err.message}`) }
  }
}

export type { Perceived }
